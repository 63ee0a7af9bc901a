from django.db.models import Count, Q

from .choices import Status
from .models import Notification
from .permissions import inbox_visible_to, notifications_visible_to


def notification_log(*, user):
    """Rows of the delivery log this user may see, newest first."""
    return notifications_visible_to(user).select_related("recipient", "content_type")


def notification_log_get(*, user, pk: int) -> Notification:
    return notification_log(user=user).get(pk=pk)


def inbox_list(*, user):
    return inbox_visible_to(user).order_by("-created_at", "-id")


def inbox_get(*, user, pk: int) -> Notification:
    return inbox_visible_to(user).get(pk=pk)


def inbox_unread_count(*, user) -> int:
    return inbox_visible_to(user).filter(read_at__isnull=True).count()


def notification_failed_count() -> int:
    return Notification.objects.filter(status=Status.FAILED).count()


def notification_status_counts() -> dict[str, int]:
    """How many rows are queued, sending and failed (for the staff dashboard panel)."""
    counts = Notification.objects.aggregate(
        queued=Count("pk", filter=Q(status=Status.QUEUED)),
        sending=Count("pk", filter=Q(status=Status.SENDING)),
        failed=Count("pk", filter=Q(status=Status.FAILED)),
    )
    return {k: v or 0 for k, v in counts.items()}
