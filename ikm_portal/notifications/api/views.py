from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from .. import selectors, services
from ..filtersets import NotificationFilterSet
from ..permissions import can_manage, can_view_log
from .serializers import InboxNotificationSerializer, NotificationLogSerializer


class NotificationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The signed-in user's inbox: their own in-app messages only (staff included)."""

    serializer_class = InboxNotificationSerializer
    filterset_class = NotificationFilterSet
    ordering_fields = ["created_at"]

    def get_queryset(self):
        return selectors.inbox_list(user=self.request.user).select_related("content_type")

    @extend_schema(request=None, responses={200: InboxNotificationSerializer})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        """Mark one message as read."""
        notification = services.notification_mark_read(notification=self.get_object())
        return Response(self.get_serializer(notification).data)

    @extend_schema(
        request=None,
        responses={
            200: inline_serializer(
                "NotificationReadAll",
                {"marked": serializers.IntegerField(), "unread": serializers.IntegerField()},
            )
        },
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        """Mark every message in the inbox as read."""
        marked = services.notification_mark_all_read(user=request.user)
        return Response({"marked": marked, "unread": 0})


class CanViewLog(permissions.BasePermission):
    def has_permission(self, request, view):
        return can_view_log(request.user)


class NotificationLogViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The delivery log (office staff): every outbox row; resend a failed one, cancel a queued
    one."""

    serializer_class = NotificationLogSerializer
    filterset_class = NotificationFilterSet
    permission_classes = [permissions.IsAuthenticated, CanViewLog]
    ordering_fields = ["created_at", "sent_at", "status"]

    def get_queryset(self):
        return selectors.notification_log(user=self.request.user)

    def _check_manage(self, request):
        if not can_manage(request.user):
            self.permission_denied(request)

    @extend_schema(request=None, responses={200: NotificationLogSerializer})
    @action(detail=True, methods=["post"])
    def resend(self, request, pk=None):
        """Send a failed message again (failed → queued)."""
        self._check_manage(request)
        notification = services.notification_resend(
            notification=self.get_object(), actor=request.user
        )
        notification.refresh_from_db()  # in-process delivery may have run on commit
        return Response(self.get_serializer(notification).data)

    @extend_schema(request=None, responses={200: NotificationLogSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel a queued message (queued → cancelled)."""
        self._check_manage(request)
        notification = services.notification_cancel(
            notification=self.get_object(), actor=request.user
        )
        notification.refresh_from_db()  # in-process delivery may have run on commit
        return Response(self.get_serializer(notification).data)
