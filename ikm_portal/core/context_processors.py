from django.conf import settings

from .extensions import nav_items


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
        "PRIVACY_NOTICE_VERSION": settings.PRIVACY_NOTICE_VERSION,
        "TERMS_VERSION": settings.TERMS_VERSION,
        "nav_items": nav_items(user) if user is not None else [],
    }
