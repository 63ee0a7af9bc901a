"""Who sees which notifications. Used by selectors, HTML views and API views alike: a row a
user may not see is a 404 for them."""

from .choices import Channel, Status
from .models import Notification

VIEW_PERMISSION = "notifications.view_notification"
MANAGE_PERMISSION = "notifications.change_notification"


def can_view_log(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(VIEW_PERMISSION))


def can_manage(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(MANAGE_PERMISSION))


def notifications_visible_to(user):
    """The delivery log: every row for office staff (view permission), nothing for others."""
    if can_view_log(user):
        return Notification.objects.all()
    return Notification.objects.none()


def inbox_visible_to(user):
    """The inbox: the user's own in-app messages — for staff too, never anyone else's."""
    if not (user and user.is_authenticated):
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user, channel=Channel.IN_APP, status=Status.SENT)
