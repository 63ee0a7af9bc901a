from django import template

from .. import selectors, services
from ..forms import NotificationPreferenceForm

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    """The unread count for the navigation bar (one COUNT query per page, signed-in only)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    cached = getattr(request, "_unread_notifications", None)
    if cached is None:
        cached = selectors.inbox_unread_count(user=user)
        request._unread_notifications = cached
    return cached


@register.inclusion_tag("notifications/includes/preferences_form.html", takes_context=True)
def notification_preferences_form(context):
    """The channel choices on the profile page (posted to notifications:preferences)."""
    user = context["request"].user
    current = services.notification_preference_get(user=user)
    form = NotificationPreferenceForm(
        user=user,
        initial={"email": current.email, "whatsapp": current.whatsapp, "sms": current.sms},
    )
    return {"form": form, "csrf_token": context.get("csrf_token"), "request": context["request"]}
