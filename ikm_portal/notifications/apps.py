from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """The one outbox. Hooks it offers other apps (see the module docstrings):

    - ``notification_templates`` on an AppConfig: template keys, mandatory or not (catalog.py);
    - ``staff_digest_items()`` on an AppConfig: what waits for office staff (digest.py).
    """

    name = "ikm_portal.notifications"
    label = "notifications"
    verbose_name = _("Notifications")
    role_permissions = {
        "office_staff": ["notifications.view_notification", "notifications.change_notification"],
    }
    notification_templates = {
        "password_reset": {"mandatory": True, "sensitive": True, "label": _("Password reset")},
        "staff_digest": {"label": _("Daily digest for office staff")},
    }

    def ready(self):
        from ikm_portal.api import router

        from .api.views import NotificationLogViewSet, NotificationViewSet

        router.register("notifications", NotificationViewSet, basename="notification")
        router.register("notification-log", NotificationLogViewSet, basename="notification-log")

    def nav_items(self, user):
        from django.urls import reverse

        from ikm_portal.core.extensions import NavItem

        from .permissions import can_view_log

        if not can_view_log(user):
            return []
        return [NavItem(label=_("Delivery log"), url=reverse("notifications:log"), order=90)]

    def dashboard_panels(self, request):
        from django.urls import reverse

        from ikm_portal.core.extensions import Panel

        from . import selectors
        from .permissions import can_view_log

        panels = []
        user = request.user
        unread = selectors.inbox_unread_count(user=user)
        request._unread_notifications = unread  # the navbar tag reuses it
        if unread:
            panels.append(
                Panel(
                    template="notifications/panels/inbox.html",
                    context={"unread": unread, "url": reverse("notifications:inbox")},
                    order=10,
                )
            )
        if can_view_log(user):
            counts = selectors.notification_status_counts()
            panels.append(
                Panel(
                    template="notifications/panels/delivery.html",
                    context={
                        **counts,
                        "failed_url": reverse("notifications:log") + "?status=failed",
                        "queued_url": reverse("notifications:log") + "?status=queued",
                    },
                    order=80,
                )
            )
        return panels

    def staff_digest_items(self):
        from django.urls import reverse

        from .selectors import notification_failed_count

        return [
            (
                _("Messages that could not be delivered"),
                notification_failed_count(),
                reverse("notifications:log") + "?status=failed",
            )
        ]
