"""The catalogue of notification template keys.

Every message is rendered from ``templates/notifications/<key>/`` and its key is declared here
first, so that whether a message is *mandatory* is a property of the key, not of each call. An
undeclared key (or a missing template file) never breaks the caller's transaction: its rows are
written as *failed* with the reason and logged, so the delivery log shows the mistake, and
"Send again" renders them once the key and its templates exist.

- ``mandatory=True``: decisions, offers, password reset… always go by e-mail (when the user has
  an address) and in-app, whatever the user chose in their profile;
- ``sensitive=True``: the message carries a secret (a sign-in link); the delivery log does not
  show its text to office staff.

An app declares its keys on its AppConfig (read the first time a key is looked up)::

    class RegistryConfig(AppConfig):
        notification_templates = {
            "enterprise_verified": {"mandatory": True, "label": _("Registration verified")},
            "enterprise_needs_revision": {"mandatory": True},
        }

or calls ``register_template("key", mandatory=True)`` from its ``ready()``.

Files in ``templates/notifications/<key>/`` (English msgids, Indonesian in the catalogue):

- ``subject.txt`` (required) — one line; the e-mail subject and the inbox title;
- ``body.txt`` (required) — the plain-text message;
- ``body.html`` (optional) — an HTML alternative for e-mail;
- ``in_app.txt`` (optional) — the inbox text if it must differ from ``body.txt``;
- ``short.txt`` (optional) — the WhatsApp/SMS text if it must differ from ``body.txt``.
"""

import re
from dataclasses import dataclass

from django.apps import apps

# "password_reset", "training.application_selected", "partnerships/agreement_expiring": the
# directory under templates/notifications/ is the key itself (a "/" nests it).
KEY_RE = re.compile(r"^[a-z][a-z0-9_]*([./][a-z][a-z0-9_]*)*$")


@dataclass(frozen=True)
class NotificationTemplate:
    key: str
    mandatory: bool = False
    sensitive: bool = False
    label: str = ""

    @property
    def display(self) -> str:
        return str(self.label) if self.label else self.key


_registered: dict[str, NotificationTemplate] = {}
_collected = False


class UnknownTemplate(LookupError):
    pass


def register_template(
    key: str, *, mandatory: bool = False, sensitive: bool = False, label: str = ""
) -> NotificationTemplate:
    if not KEY_RE.match(key):
        raise ValueError(f"Notification template key {key!r} must match {KEY_RE.pattern}.")
    spec = NotificationTemplate(key=key, mandatory=mandatory, sensitive=sensitive, label=label)
    existing = _registered.get(key)
    if existing is not None and existing != spec:
        raise ValueError(f"Notification template {key!r} is already registered differently.")
    _registered[key] = spec
    return spec


def _collect() -> None:
    global _collected
    if _collected:
        return
    for config in apps.get_app_configs():
        for key, options in getattr(config, "notification_templates", {}).items():
            register_template(key, **options)
    _collected = True


def get_template(key: str) -> NotificationTemplate:
    _collect()
    try:
        return _registered[key]
    except KeyError:
        raise UnknownTemplate(
            f"Unknown notification template {key!r}: declare it in an AppConfig's "
            "notification_templates or with register_template()."
        ) from None


def lookup(key: str) -> NotificationTemplate | None:
    _collect()
    return _registered.get(key)


def all_templates() -> list[NotificationTemplate]:
    _collect()
    return sorted(_registered.values(), key=lambda t: t.key)


def template_choices() -> list[tuple[str, str]]:
    return [(t.key, t.display) for t in all_templates()]
