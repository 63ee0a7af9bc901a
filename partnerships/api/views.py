from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response

from .. import selectors, services
from ..choices import AgreementStatus
from ..filtersets import AgreementFilterSet, PartnerFilterSet
from ..permissions import (
    can_invite_role,
    can_manage_members,
    can_manage_partners,
    can_read_agreement_document,
    invitations_visible_to,
    members_visible_to,
)
from ..views import _serve_file
from .serializers import (
    AgreementSerializer,
    InvitationAcceptSerializer,
    InvitationCreatedSerializer,
    InvitationSerializer,
    MemberSerializer,
    PartnerSerializer,
    TerminateReasonSerializer,
)


class OfficeWrites(permissions.BasePermission):
    """Anyone signed in reads what the scoping function lets them see; the office writes."""

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        return can_manage_partners(request.user)


class PartnerViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Partner organisations. Office staff see and edit all; a partner's members see their own
    partner. Members and invitations are sub-resources managed by the office or the partner's
    manager."""

    serializer_class = PartnerSerializer
    filterset_class = PartnerFilterSet
    ordering_fields = ["name", "created_at"]
    ordering = ["name"]
    lookup_value_regex = r"\d+"

    def get_permissions(self):
        if self.action == "accept_invitation":
            return [permissions.AllowAny()]
        if self.action in ("members", "member_remove", "invitations", "invitation_revoke"):
            return [permissions.IsAuthenticated()]
        return [OfficeWrites()]

    def get_queryset(self):
        return selectors.partner_list(user=self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        logo = data.pop("logo", None)
        serializer.instance = services.partner_create(actor=self.request.user, logo=logo, **data)
        serializer.instance.member_count = 0

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        logo = data.pop("logo", None)
        partner = services.partner_update(
            partner=serializer.instance, actor=self.request.user, data=data, logo=logo
        )
        serializer.instance = self.get_queryset().get(pk=partner.pk)

    def _managed_partner(self):
        partner = self.get_object()
        if not can_manage_members(self.request.user, partner):
            raise NotFound
        return partner

    @extend_schema(responses=MemberSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="members")
    def members(self, request, pk=None):
        partner = self._managed_partner()
        qs = selectors.member_list(user=request.user, partner=partner)
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(MemberSerializer(page, many=True).data)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"members/(?P<member_id>\d+)")
    def member_remove(self, request, pk=None, member_id=None):
        partner = self._managed_partner()
        member = get_object_or_404(members_visible_to(request.user), pk=member_id, partner=partner)
        services.member_remove(member=member, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=InvitationSerializer,
        responses={200: InvitationSerializer(many=True), 201: InvitationCreatedSerializer},
    )
    @action(detail=True, methods=["get", "post"], url_path="invitations")
    def invitations(self, request, pk=None):
        partner = self._managed_partner()
        if request.method == "GET":
            qs = selectors.invitation_list(user=request.user, partner=partner)
            page = self.paginate_queryset(qs)
            return self.get_paginated_response(InvitationSerializer(page, many=True).data)
        serializer = InvitationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        role = serializer.validated_data["role"]
        if not can_invite_role(request.user, role):
            raise PermissionDenied
        invitation, token = services.invitation_create(
            partner=partner, email=serializer.validated_data["email"], role=role, actor=request.user
        )
        invitation.link = services.invitation_link(token)
        return Response(
            InvitationCreatedSerializer(invitation).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"invitations/(?P<invitation_id>\d+)")
    def invitation_revoke(self, request, pk=None, invitation_id=None):
        partner = self._managed_partner()
        invitation = get_object_or_404(
            invitations_visible_to(request.user), pk=invitation_id, partner=partner
        )
        services.invitation_revoke(invitation=invitation, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=InvitationAcceptSerializer, responses={201: MemberSerializer})
    @action(detail=False, methods=["post"], url_path="invitations/accept")
    def accept_invitation(self, request):
        """Accept with the token from the e-mail: signed in with the invited address, or, with
        no account yet, `full_name` and `password` create one."""
        serializer = InvitationAcceptSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        member = services.invitation_accept(
            token=data["token"],
            user=request.user if request.user.is_authenticated else None,
            full_name=data.get("full_name", ""),
            password=data.get("password") or None,
            phone=data.get("phone", ""),
        )
        return Response(MemberSerializer(member).data, status=status.HTTP_201_CREATED)


class AgreementViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Partnership agreements. The office manages them; a partner's members read their own.
    `document` is uploaded as multipart (PDF, ≤ 10 MB) and read through `/document/`."""

    serializer_class = AgreementSerializer
    filterset_class = AgreementFilterSet
    permission_classes = [OfficeWrites]
    ordering_fields = ["valid_to", "valid_from", "number", "created_at"]
    ordering = ["-valid_to", "number"]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return selectors.agreement_list(user=self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.agreement_create(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        document = data.pop("document", None)
        data.pop("partner", None)
        serializer.instance = services.agreement_update(
            agreement=serializer.instance, actor=self.request.user, data=data, document=document
        )

    @extend_schema(request=None, responses=AgreementSerializer)
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        agreement = services.agreement_transition(
            agreement=self.get_object(), to=AgreementStatus.ACTIVE, actor=request.user
        )
        return Response(self.get_serializer(agreement).data)

    @extend_schema(request=TerminateReasonSerializer, responses=AgreementSerializer)
    @action(detail=True, methods=["post"])
    def terminate(self, request, pk=None):
        agreement = self.get_object()
        serializer = TerminateReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        agreement = services.agreement_transition(
            agreement=agreement,
            to=AgreementStatus.TERMINATED,
            actor=request.user,
            reason=serializer.validated_data["reason"],
        )
        return Response(self.get_serializer(agreement).data)

    @extend_schema(responses={(200, "application/pdf"): bytes})
    @action(detail=True, methods=["get"])
    def document(self, request, pk=None):
        agreement = self.get_object()
        if not agreement.document or not can_read_agreement_document(request.user, agreement):
            raise NotFound
        name = f"{agreement.number}.pdf".replace("/", "-").replace(" ", "_")
        return _serve_file(agreement.document, download_name=name, as_attachment=True)
