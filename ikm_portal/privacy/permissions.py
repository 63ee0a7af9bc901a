"""One scoping function: a person sees and withdraws their own consents; the office reads all
of them (Django admin, for the data protection officer)."""

from django.db.models import QuerySet

from .models import Consent


def consents_visible_to(user) -> QuerySet[Consent]:
    if user is None or not user.is_authenticated or not user.is_active:
        return Consent.objects.none()
    return Consent.objects.filter(user=user)


def can_withdraw(user, consent: Consent) -> bool:
    from .choices import WITHDRAWABLE_PURPOSES

    return bool(
        user is not None
        and user.is_authenticated
        and consent.user_id == user.pk
        and consent.is_active
        and consent.purpose in WITHDRAWABLE_PURPOSES
    )
