from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import ActivityLog


def model_update(*, instance: models.Model, data: dict[str, Any]) -> tuple[models.Model, list[str]]:
    """Set the given fields that changed and save only those. Returns (instance, changed fields)."""
    changed = []
    for field, value in data.items():
        if getattr(instance, field) != value:
            setattr(instance, field, value)
            changed.append(field)
    if changed:
        if any(f.name == "updated_at" for f in instance._meta.fields):
            changed.append("updated_at")
        instance.save(update_fields=changed)
    return instance, [f for f in changed if f != "updated_at"]


def activity_log(
    *,
    target: models.Model,
    action: str,
    actor=None,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    data: dict | None = None,
) -> ActivityLog:
    entry = activity_log_entry(
        target=target,
        action=action,
        actor=actor,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        data=data,
    )
    entry.save()
    return entry


def activity_log_entry(
    *,
    target: models.Model,
    action: str,
    actor=None,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    data: dict | None = None,
) -> ActivityLog:
    """The unsaved row ``activity_log`` writes, for a ``bulk_create`` of many."""
    return ActivityLog(
        actor=actor if actor is not None and getattr(actor, "is_authenticated", False) else None,
        content_type=ContentType.objects.get_for_model(target, for_concrete_model=False),
        object_id=str(target.pk),
        action=action,
        from_state=from_state or "",
        to_state=to_state or "",
        reason=reason or "",
        data=data or {},
    )
