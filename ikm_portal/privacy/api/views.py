from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import selectors, services
from ..choices import ConsentChannel, ConsentContext
from ..permissions import consents_visible_to
from .serializers import ConsentGiveSerializer, ConsentSerializer, NoticeSerializer


class ConsentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The signed-in person's own consents, newest first, history included (`active` tells the
    current ones). Withdraw one with `POST …/{id}/withdraw/`; give consent to the office's news
    with `POST …/ {"purpose": "news"}`."""

    serializer_class = ConsentSerializer
    permission_classes = [permissions.IsAuthenticated]
    ordering = ["-given_at", "-id"]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return consents_visible_to(self.request.user).order_by("-given_at", "-id")

    @extend_schema(request=ConsentGiveSerializer, responses={201: ConsentSerializer})
    def create(self, request):
        serializer = ConsentGiveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        consent = services.consent_give(
            user=request.user,
            purpose=serializer.validated_data["purpose"],
            context=ConsentContext.CONSENTS_PAGE,
            channel=ConsentChannel.API,
            actor=request.user,
        )
        return Response(self.get_serializer(consent).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ConsentSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Withdraw from now on (sharing with a programme's partner, the office's news). The
        register's acknowledgement cannot be withdrawn: 409."""
        consent = services.consent_withdraw(
            consent=self.get_object(),
            actor=request.user,
            context=ConsentContext.CONSENTS_PAGE,
            channel=ConsentChannel.API,
        )
        return Response(self.get_serializer(consent).data)


class NoticeView(APIView):
    """The privacy notice in force (public). Signed in: `POST` acknowledges it."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=NoticeSerializer)
    def get(self, request):
        notice = selectors.notice_current()
        if notice is None:
            raise Http404
        return Response(NoticeSerializer(notice, context={"request": request}).data)

    @extend_schema(request=None, responses=NoticeSerializer)
    def post(self, request):
        if not request.user.is_authenticated:
            raise NotAuthenticated
        notice = selectors.notice_current()
        if notice is None:
            raise Http404
        services.notice_acknowledge(user=request.user, channel=ConsentChannel.API)
        return Response(NoticeSerializer(notice, context={"request": request}).data)
