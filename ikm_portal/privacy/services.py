"""Consent: one service gives, one withdraws. Both lock, log an ActivityLog row, and tell the
apps that keep a copy of the state (AppConfig hook ``consent_changed(consent, given)``, e.g.
training's per-application flag), in the same transaction."""

from django.apps import apps
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ikm_portal.core.exceptions import InvalidTransition
from ikm_portal.core.services import activity_log

from .choices import SCOPED_PURPOSES, WITHDRAWABLE_PURPOSES, ConsentChannel, ConsentContext, Purpose
from .models import Consent, PrivacyNotice
from .selectors import NOTICE_CACHE_KEY, notice_current_version


def scope_key_for(obj) -> str:
    """The generic key of a scope object, e.g. "training.program:12"."""
    return f"{obj._meta.label_lower}:{obj.pk}"


def _dispatch(consent: Consent, *, given: bool, actor) -> None:
    for config in apps.get_app_configs():
        hook = getattr(config, "consent_changed", None)
        if callable(hook):
            hook(consent=consent, given=given, actor=actor)


def _active_qs(user, purpose: str, scope_key: str):
    return Consent.objects.select_for_update().filter(
        user=user,
        purpose=purpose,
        scope_key=scope_key,
        withdrawn_at__isnull=True,
        superseded_at__isnull=True,
    )


@transaction.atomic
def consent_give(
    *,
    user,
    purpose: str,
    context: str,
    channel: str = ConsentChannel.PAGE,
    scope_key: str = "",
    scope_label: str = "",
    scope_url: str = "",
    actor=None,
    propagate: bool = True,
) -> Consent:
    """Record that `user` consents to (or acknowledges) `purpose` under the current notice.
    Already given under this version: nothing changes. Given under an older version: the old
    row is superseded by a new one. `actor` is the office user recording it on the owner's
    behalf (None or the owner themself otherwise)."""
    purpose = Purpose(purpose)
    if purpose in SCOPED_PURPOSES and not scope_key:
        raise ValueError(f"{purpose} needs a scope")
    version = notice_current_version()
    now = timezone.now()
    current = _active_qs(user, purpose, scope_key).first()
    if current is not None and current.notice_version == version:
        return current
    if current is not None:
        current.superseded_at = now
        current.save(update_fields=["superseded_at"])
    on_behalf = actor is not None and getattr(actor, "pk", None) not in (None, user.pk)
    try:
        with transaction.atomic():
            consent = Consent.objects.create(
                user=user,
                purpose=purpose,
                scope_key=scope_key,
                scope_label=scope_label[:300],
                scope_url=scope_url[:300],
                notice_version=version,
                given_at=now,
                given_context=ConsentContext(context),
                given_channel=ConsentChannel.OFFICE if on_behalf else ConsentChannel(channel),
                given_by=actor if on_behalf else None,
            )
    except IntegrityError:
        # A simultaneous request recorded it first: one active row, as the constraint wants.
        return _active_qs(user, purpose, scope_key).get()
    if purpose == Purpose.REGISTRY and getattr(user, "privacy_version", version) != version:
        user.privacy_version = version
        user.save(update_fields=["privacy_version"])
    activity_log(
        target=consent,
        action="consent.given",
        actor=actor or user,
        to_state="given",
        data={"purpose": purpose, "scope": scope_key, "version": version, "context": context},
    )
    if propagate:
        _dispatch(consent, given=True, actor=actor or user)
    return consent


@transaction.atomic
def consent_withdraw(
    *,
    consent: Consent,
    actor,
    context: str = ConsentContext.CONSENTS_PAGE,
    channel: str = ConsentChannel.PAGE,
    propagate: bool = True,
) -> Consent:
    """End a consent from now on. Withdrawing twice changes nothing. The register's
    acknowledgement cannot be withdrawn: it is not based on consent."""
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.withdrawn_at is not None:
        return consent
    if consent.purpose not in WITHDRAWABLE_PURPOSES:
        raise InvalidTransition(
            _(
                "The register is kept as a public service required by law, not on consent. "
                "Ask the office to correct or erase your data instead."
            )
        )
    if consent.superseded_at is not None:
        raise InvalidTransition(_("This consent has been replaced by a newer one."))
    consent.withdrawn_at = timezone.now()
    consent.withdrawn_context = ConsentContext(context)
    consent.withdrawn_channel = ConsentChannel(channel)
    consent.save(update_fields=["withdrawn_at", "withdrawn_context", "withdrawn_channel"])
    activity_log(
        target=consent,
        action="consent.withdrawn",
        actor=actor,
        from_state="given",
        to_state="withdrawn",
        data={"purpose": consent.purpose, "scope": consent.scope_key, "context": context},
    )
    if propagate:
        _dispatch(consent, given=False, actor=actor)
    return consent


def consent_withdraw_scope(
    *,
    user,
    purpose: str,
    scope_key: str = "",
    actor,
    context: str,
    channel: str = ConsentChannel.PAGE,
    propagate: bool = True,
) -> Consent | None:
    """Withdraw the active consent of this purpose and scope, if there is one."""
    with transaction.atomic():
        current = _active_qs(user, purpose, scope_key).first()
        if current is None:
            return None
        return consent_withdraw(
            consent=current, actor=actor, context=context, channel=channel, propagate=propagate
        )


def notice_acknowledge(*, user, channel: str = ConsentChannel.PAGE) -> Consent:
    """The owner read the current notice (sign-in interstitial or My consents)."""
    return consent_give(
        user=user,
        purpose=Purpose.REGISTRY,
        context=ConsentContext.NOTICE_UPDATE,
        channel=channel,
        actor=user,
    )


def notice_save(*, notice: PrivacyNotice, actor=None) -> PrivacyNotice:
    """Store a notice version (the admin uses it); the cached current version is dropped."""
    is_new = notice.pk is None
    notice.save()
    cache.delete(NOTICE_CACHE_KEY)
    activity_log(
        target=notice,
        action="privacy_notice.created" if is_new else "privacy_notice.changed",
        actor=actor,
        data={"version": notice.version, "effective_on": notice.effective_on.isoformat()},
    )
    return notice
