"""Telling owners about the office's decisions, through the notifications outbox.

The messages are rendered from ``registry/templates/notifications/<key>/`` (the app's template
folder, so that their strings live in the registry's translation catalogue). Keys are declared on
RegistryConfig.notification_templates. Decisions are mandatory messages: they go by e-mail and
in-app whatever the owner chose, and by WhatsApp when the owner opted in. A business registered
at the office without an owner account is told at its e-mail address or phone number."""

from django.urls import reverse

from ..choices import ChangeRequestStatus, EnterpriseStatus
from ..models import ChangeRequest, Enterprise

DECISION_TEMPLATES = {
    EnterpriseStatus.VERIFIED: "enterprise_verified",
    EnterpriseStatus.NEEDS_REVISION: "enterprise_needs_revision",
    EnterpriseStatus.REJECTED: "enterprise_rejected",
    EnterpriseStatus.ARCHIVED: "enterprise_archived",
    ChangeRequestStatus.APPROVED: "enterprise_change_approved",
    ChangeRequestStatus.REFUSED: "enterprise_change_refused",
}
CHANNELS = ["email", "in_app", "whatsapp"]


def _recipient(enterprise: Enterprise):
    from ikm_portal.notifications.services import Recipient

    if enterprise.owner_id and enterprise.owner.is_active:
        return enterprise.owner
    if enterprise.email or enterprise.phone:
        return Recipient(email=enterprise.email, phone=enterprise.phone, name=enterprise.owner_name)
    return None


def notify_owner_of_decision(
    *, enterprise_id: int, status: str, change_request_id: int | None = None
) -> int:
    """Queue the owner's message about a decision; returns the number of outbox rows."""
    from ikm_portal.notifications.services import notification_queue

    template = DECISION_TEMPLATES.get(status)
    enterprise = Enterprise.objects.select_related("owner").filter(pk=enterprise_id).first()
    if template is None or enterprise is None:
        return 0
    recipient = _recipient(enterprise)
    if recipient is None:
        return 0
    context = {
        "enterprise_name": enterprise.name,
        "url": reverse("registry:detail", args=[enterprise.pk]),
        "reason": enterprise.status_reason,
    }
    related = enterprise
    if change_request_id is not None:
        change_request = ChangeRequest.objects.get(pk=change_request_id)
        context["reason"] = change_request.reason
        related = change_request
        key = f"registry:change_request:{change_request.pk}:{status}"
    else:
        stamp = enterprise.status_changed_at.isoformat() if enterprise.status_changed_at else ""
        key = f"registry:enterprise:{enterprise.pk}:{status}:{stamp}"
    rows = notification_queue(
        recipient=recipient,
        template=template,
        context=context,
        channels=CHANNELS,
        related=related,
        key=key,
    )
    return len(rows)
