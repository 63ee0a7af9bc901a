from django.conf import settings
from django.utils.functional import SimpleLazyObject

from .extensions import nav_items


def _notice_version() -> str:
    from ikm_portal.privacy.selectors import notice_current_version

    return notice_current_version()


def portal(request):
    user = getattr(request, "user", None)
    return {
        "OFFICE_NAME": settings.OFFICE_NAME,
        "OFFICE_SHORT_NAME": settings.OFFICE_SHORT_NAME,
        "OFFICE_LOGO": settings.OFFICE_LOGO,
        "OFFICE_EMAIL": settings.OFFICE_EMAIL,
        "OFFICE_PHONE": settings.OFFICE_PHONE,
        "OFFICE_ADDRESS": settings.OFFICE_ADDRESS,
        "DPO_NAME": settings.DPO_NAME,
        "DPO_EMAIL": settings.DPO_EMAIL,
        "DPO_PHONE": settings.DPO_PHONE,
        # The notice in force (stored versions), read only by the pages that show it.
        "PRIVACY_NOTICE_VERSION": SimpleLazyObject(_notice_version),
        "TERMS_VERSION": settings.TERMS_VERSION,
        "nav_items": nav_items(user) if user is not None else [],
    }
