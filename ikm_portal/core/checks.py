"""System checks of the platform (run by `manage.py check`; deploy ones by `check --deploy`)."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def personal_data_keys(app_configs, **kwargs):
    if getattr(settings, "PERSONAL_DATA_KEYS_DERIVED", False):
        return [
            Error(
                "FIELD_ENCRYPTION_KEYS and PERSONAL_DATA_HASH_KEY are not both set: the keys "
                "protecting personal data at rest are derived from SECRET_KEY.",
                hint="Set both in the environment (docs/security.md, 'Encryption at rest').",
                id="core.E001",
            )
        ]
    return []
