from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response

from partnerships.permissions import is_office
from partnerships.views import _serve_file

from .. import selectors, services
from ..choices import AccessChannel, ProgramStatus, QuestionKind
from ..filtersets import ApplicationFilterSet, ProgramFilterSet
from ..models import Answer, Question
from ..permissions import (
    can_change_program_status,
    can_create_program,
    can_manage_program,
    can_screen,
    is_application_owner,
    is_partner_viewer,
    shares_personal_data,
)
from .serializers import (
    ApplicationSerializer,
    CancelReasonSerializer,
    ProgramSerializer,
    ScreenSerializer,
    UploadSerializer,
    WithdrawReasonSerializer,
)


class ProgramViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Training programmes with their tracks, stages, eligibility rules and questions.

    Writing `tracks`, `stages` or `questions` replaces the whole list (items keep their `id`;
    stages are matched by `order`). Office staff create programmes; a partner manager co-manages
    their partner's programme when `partner_can_manage` is on."""

    serializer_class = ProgramSerializer
    filterset_class = ProgramFilterSet
    ordering_fields = ["opens_at", "closes_at", "title", "created_at"]
    ordering = ["-opens_at", "-id"]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return selectors.program_list(user=self.request.user)

    @staticmethod
    def _children(data: dict) -> dict:
        return {
            key: data.pop(key)
            for key in ("tracks", "stages", "eligibility", "questions")
            if key in data
        }

    def perform_create(self, serializer):
        if not can_create_program(self.request.user):
            raise PermissionDenied
        data = dict(serializer.validated_data)
        children = self._children(data)
        program = services.program_create(actor=self.request.user, **data, **children)
        serializer.instance = self.get_queryset().get(pk=program.pk)

    def perform_update(self, serializer):
        program = serializer.instance
        if not can_manage_program(self.request.user, program):
            raise PermissionDenied
        data = dict(serializer.validated_data)
        children = self._children(data)
        services.program_update(program=program, actor=self.request.user, data=data, **children)
        serializer.instance = self.get_queryset().get(pk=program.pk)

    def _transition(self, request, target, reason=""):
        program = self.get_object()
        if not can_change_program_status(request.user, program, target):
            raise PermissionDenied
        services.program_transition(program=program, to=target, actor=request.user, reason=reason)
        return Response(self.get_serializer(self.get_queryset().get(pk=program.pk)).data)

    @extend_schema(request=None, responses=ProgramSerializer)
    @action(detail=True, methods=["post"])
    def open(self, request, pk=None):
        """Open the programme for applications (draft → open, or reopen from reviewing)."""
        return self._transition(request, ProgramStatus.OPEN)

    @extend_schema(request=None, responses=ProgramSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close the call: open → reviewing."""
        return self._transition(request, ProgramStatus.REVIEWING)

    @extend_schema(request=CancelReasonSerializer, responses=ProgramSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        serializer = CancelReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._transition(
            request, ProgramStatus.CANCELLED, serializer.validated_data["reason"]
        )

    @extend_schema(request=None, responses=ProgramSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        """reviewing → running."""
        return self._transition(request, ProgramStatus.RUNNING)

    @extend_schema(request=None, responses=ProgramSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """running → completed."""
        return self._transition(request, ProgramStatus.COMPLETED)


class ApplicationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Applications. An owner sees and writes the applications of their own businesses; the
    office sees all; a partner's members see their programmes' applications from eligible on,
    with the owner's consent (every view of those is logged)."""

    serializer_class = ApplicationSerializer
    filterset_class = ApplicationFilterSet
    ordering_fields = ["submitted_at", "created_at", "status"]
    ordering = ["-submitted_at", "-id"]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return selectors.application_list(user=self.request.user)

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        services.data_access_record(
            user=request.user,
            applications=page,
            channel=AccessChannel.API_LIST,
            path=request.get_full_path(),
        )
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        application = self.get_object()
        services.data_access_record(
            user=request.user,
            applications=[application],
            channel=AccessChannel.API_DETAIL,
            path=request.get_full_path(),
        )
        return Response(self.get_serializer(application).data)

    def _fresh(self, application):
        return self.get_queryset().get(pk=application.pk)

    def perform_create(self, serializer):
        data = serializer.validated_data
        application = services.application_create(
            actor=self.request.user,
            program=data["program"],
            enterprise=data["enterprise"],
            track_choices=data.get("track_choices"),
            answers=data.get("answers"),
            consent_share_with_partner=data.get("consent_share_with_partner", False),
        )
        serializer.instance = self._fresh(application)

    def perform_update(self, serializer):
        application = serializer.instance
        if not is_application_owner(self.request.user, application):
            raise PermissionDenied
        data = serializer.validated_data
        services.application_update(
            application=application,
            actor=self.request.user,
            track_choices=data.get("track_choices"),
            answers=data.get("answers"),
            consent_share_with_partner=data.get("consent_share_with_partner"),
        )
        serializer.instance = self._fresh(application)

    @extend_schema(request=None, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        application = self.get_object()
        if not is_application_owner(request.user, application):
            raise PermissionDenied
        services.application_submit(application=application, actor=request.user)
        return Response(self.get_serializer(self._fresh(application)).data)

    @extend_schema(request=WithdrawReasonSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        application = self.get_object()
        if not (is_application_owner(request.user, application) or is_office(request.user)):
            raise PermissionDenied
        serializer = WithdrawReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.application_withdraw(
            application=application,
            actor=request.user,
            reason=serializer.validated_data["reason"],
        )
        return Response(self.get_serializer(self._fresh(application)).data)

    @extend_schema(request=ScreenSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def screen(self, request, pk=None):
        """The office decides eligibility by hand: `{eligible, reason}`."""
        application = self.get_object()
        if not can_screen(request.user):
            raise PermissionDenied
        serializer = ScreenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.application_screen(
            application=application,
            actor=request.user,
            eligible=serializer.validated_data["eligible"],
            reason=serializer.validated_data["reason"],
        )
        return Response(self.get_serializer(self._fresh(application)).data)

    @extend_schema(request=None, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """The office starts the review: eligible → in_review."""
        application = self.get_object()
        if not can_screen(request.user):
            raise PermissionDenied
        services.application_start_review(application=application, actor=request.user)
        return Response(self.get_serializer(self._fresh(application)).data)

    @extend_schema(
        request={"multipart/form-data": UploadSerializer}, responses=ApplicationSerializer
    )
    @action(detail=True, methods=["post"])
    def upload(self, request, pk=None):
        """Answer a file question: multipart `question` (id) and `file` (PDF, JPEG or PNG)."""
        application = self.get_object()
        if not is_application_owner(request.user, application):
            raise PermissionDenied
        serializer = UploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        question = Question.objects.filter(
            pk=serializer.validated_data["question"], program=application.program
        ).first()
        if question is None:
            from ikm_portal.core.exceptions import ApplicationError

            raise ApplicationError(field_errors={"question": ["Not a question of this programme."]})
        services.application_upload_file(
            application=application,
            actor=request.user,
            question=question,
            upload=serializer.validated_data["file"],
        )
        return Response(self.get_serializer(self._fresh(application)).data)

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    @action(detail=True, methods=["get"], url_path=r"files/(?P<question_id>\d+)", url_name="file")
    def file(self, request, pk=None, question_id=None):
        application = self.get_object()
        answer = get_object_or_404(
            Answer,
            application=application,
            question_id=question_id,
            question__kind=QuestionKind.FILE,
        )
        if not answer.file or not shares_personal_data(request.user, application):
            # Documents may carry personal data: not for the partner once consent is withdrawn.
            raise NotFound
        if is_partner_viewer(request.user, application):
            services.data_access_record(
                user=request.user,
                applications=[application],
                channel=AccessChannel.FILE,
                path=request.get_full_path(),
            )
        return _serve_file(
            answer.file, download_name=answer.file_name or "lampiran", as_attachment=True
        )
