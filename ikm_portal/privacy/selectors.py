from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet
from django.utils import timezone

from .choices import Purpose
from .models import Consent, PrivacyNotice
from .permissions import consents_visible_to

NOTICE_CACHE_KEY = "privacy:notice-version"
NOTICE_CACHE_SECONDS = 300


def notice_current() -> PrivacyNotice | None:
    """The notice in force: the latest whose effective date has come."""
    return (
        PrivacyNotice.objects.filter(effective_on__lte=timezone.localdate())
        .order_by("-effective_on", "-id")
        .first()
    )


def notice_current_version() -> str:
    """The version every new consent records (cached briefly: it is read on many pages).
    Before any notice is stored, the PRIVACY_NOTICE_VERSION setting."""
    version = cache.get(NOTICE_CACHE_KEY)
    if version is None:
        notice = notice_current()
        version = notice.version if notice else settings.PRIVACY_NOTICE_VERSION
        cache.set(NOTICE_CACHE_KEY, version, NOTICE_CACHE_SECONDS)
    return version


def consent_list(*, user) -> QuerySet[Consent]:
    return consents_visible_to(user).order_by("purpose", "scope_label", "-given_at", "-id")


def consent_active(*, user, purpose: str, scope_key: str = "") -> Consent | None:
    if user is None or not user.is_authenticated:
        return None
    return Consent.objects.filter(
        user=user,
        purpose=purpose,
        scope_key=scope_key,
        withdrawn_at__isnull=True,
        superseded_at__isnull=True,
    ).first()


def news_consent_given(*, user) -> bool:
    """Whether the office may send this person its news (purpose c). Any future news or
    broadcast message must ask this first (see docs/security.md)."""
    return consent_active(user=user, purpose=Purpose.NEWS) is not None


def news_recipients() -> QuerySet:
    """The people who consented to the office's news, for a future broadcast."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            consents__purpose=Purpose.NEWS,
            consents__withdrawn_at__isnull=True,
            consents__superseded_at__isnull=True,
        )
        .distinct()
    )


def acknowledged_version(*, user) -> str:
    """The notice version this person last acknowledged ("" when never)."""
    latest = (
        Consent.objects.filter(user=user, purpose=Purpose.REGISTRY)
        .order_by("-given_at", "-id")
        .values_list("notice_version", flat=True)
        .first()
    )
    return latest or getattr(user, "privacy_version", "") or ""


def needs_reacknowledgement(*, user) -> bool:
    """An owner who acknowledged an older notice is asked, gently, to read the new one. People
    who never acknowledged any (accounts made by the office) are not interrupted."""
    if user is None or not user.is_authenticated or not getattr(user, "is_owner", False):
        return False
    seen = acknowledged_version(user=user)
    return bool(seen) and seen != notice_current_version()


def consent_overview(*, user) -> list[dict]:
    """The "My consents" page: each purpose with its state. Partner sharing has one row per
    programme; news has one row whether given or not."""
    rows = list(consent_list(user=user))
    active = [c for c in rows if c.is_active]
    registry = next((c for c in active if c.purpose == Purpose.REGISTRY), None)
    news = next((c for c in active if c.purpose == Purpose.NEWS), None)
    sharing: dict[str, Consent] = {}
    for c in rows:
        if c.purpose != Purpose.PARTNER_SHARING or c.superseded_at is not None:
            continue
        # rows come newest first: the first per scope is the current state
        sharing.setdefault(c.scope_key, c)
    return [
        {"purpose": Purpose.REGISTRY, "consent": registry, "withdrawable": False},
        *(
            {"purpose": Purpose.PARTNER_SHARING, "consent": c, "withdrawable": c.is_active}
            for c in sorted(sharing.values(), key=lambda c: c.scope_label)
        ),
        {"purpose": Purpose.NEWS, "consent": news, "withdrawable": news is not None},
    ]
