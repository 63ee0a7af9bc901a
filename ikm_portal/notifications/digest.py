"""The daily digest to office staff: what waits for them, sent only when something waits.

The platform never imports a domain app, so each app tells what waits through a hook on its
AppConfig, collected like ``nav_items`` and ``dashboard_panels`` (ikm_portal/core/extensions.py):

    class RegistryConfig(AppConfig):
        def staff_digest_items(self):
            from .selectors import enterprises_waiting_count   # import inside: apps are ready

            return [
                (_("Registrations to verify"), enterprises_waiting_count(), "/registry/?status=submitted"),
            ]

``staff_digest_items() -> list[tuple[label, count, url]]`` (or ``DigestItem``):

- ``label``: a (lazily) translated string; the hook is called once per language of the
  recipients, inside that language, so ``gettext_lazy`` or ``gettext`` both work;
- ``count``: how many things wait (an int); items with 0 are left out;
- ``url``: a path on this site where staff deal with them ("" for none).

It runs once a day in the worker (Celery beat, ``notifications.staff_digest``), so a COUNT query
or two is fine. The notifications app adds its own item: failed messages. When no item has a
count above zero, nobody gets a digest. Each staff member gets one digest a day (idempotency key
``staff_digest:<date>:<user id>``) by e-mail (if they chose it) and in-app.
"""

from dataclasses import dataclass
from datetime import date

from django.apps import apps
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone, translation

from ikm_portal.accounts.choices import OFFICE_ROLES

TEMPLATE = "staff_digest"


@dataclass(frozen=True)
class DigestItem:
    label: str
    count: int
    url: str = ""


def staff_digest_items() -> list[DigestItem]:
    """Every app's items that wait (count > 0), in the active language."""
    items: list[DigestItem] = []
    for config in apps.get_app_configs():
        hook = getattr(config, "staff_digest_items", None)
        if not callable(hook):
            continue
        for item in hook():
            if not isinstance(item, DigestItem):
                label, count, url = item
                item = DigestItem(label=label, count=count, url=url)
            if item.count and item.count > 0:
                items.append(DigestItem(label=str(item.label), count=int(item.count), url=item.url))
    return items


def staff_digest_recipients():
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=OFFICE_ROLES)
        .distinct()
        .order_by("pk")
    )


def staff_digest_send(*, today: date | None = None) -> int:
    """Queue today's digest for every active office user; returns how many got one."""
    from .services import notification_queue

    today = today or timezone.localdate()
    recipients = list(staff_digest_recipients())
    by_language: dict[str, list[DigestItem]] = {}
    sent = 0
    for user in recipients:
        language = user.language or "id"
        if language not in by_language:
            with translation.override(language):
                by_language[language] = staff_digest_items()
        items = by_language[language]
        if not items:
            continue
        rows = notification_queue(
            recipient=user,
            template=TEMPLATE,
            context={
                "date": today,
                "items": [{"label": i.label, "count": i.count, "url": i.url} for i in items],
                "total": sum(i.count for i in items),
                "url": reverse("core:dashboard"),
            },
            channels=["email", "in_app"],
            key=f"staff_digest:{today.isoformat()}:{user.pk}",
        )
        sent += bool(rows)
    return sent
