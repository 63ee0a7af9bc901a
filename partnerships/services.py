"""Writes for partners, agreements, members and invitations. Pages and API call these."""

import hashlib
import secrets
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ikm_portal.core.exceptions import ApplicationError, Conflict, InvalidTransition
from ikm_portal.core.services import activity_log, model_update
from ikm_portal.core.uploads import validate_upload
from ikm_portal.notifications.services import Recipient, notification_queue

from .choices import (
    AGREEMENT_REMINDER_DAYS,
    AGREEMENT_TRANSITIONS,
    INVITATION_VALID_DAYS,
    AgreementStatus,
    InvitationStatus,
    MemberRole,
)
from .models import Agreement, Partner, PartnerInvitation, PartnerMember


class InvitationInvalid(ApplicationError):
    code = "invitation_invalid"
    default_message = _("This invitation link is not valid.")


# --- Partner organisations ---------------------------------------------------------------

PARTNER_FIELDS = [
    "name",
    "kind",
    "description",
    "address",
    "contact_person",
    "email",
    "phone",
    "website",
    "active",
]


def _check_logo(logo) -> None:
    from django.core.exceptions import ValidationError

    try:
        validate_upload(logo, kind="logo")
    except ValidationError as exc:
        raise ApplicationError(exc.messages[0], field_errors={"logo": exc.messages}) from exc


def _check_unique_name(name: str, exclude_pk=None) -> None:
    qs = Partner.objects.filter(name__iexact=name.strip())
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    if qs.exists():
        raise Conflict(
            _("A partner with this name already exists."),
            field_errors={"name": [_("A partner with this name already exists.")]},
        )


@transaction.atomic
def partner_create(*, actor, logo=None, **data) -> Partner:
    data = {k: v for k, v in data.items() if k in PARTNER_FIELDS and v is not None}
    data["name"] = data.get("name", "").strip()
    _check_unique_name(data["name"])
    if logo:
        _check_logo(logo)
    partner = Partner(**data)
    if logo:
        partner.logo = logo
    partner.save()
    activity_log(target=partner, action="partner.created", actor=actor)
    return partner


@transaction.atomic
def partner_update(*, partner: Partner, actor, data: dict, logo=None) -> Partner:
    partner = Partner.objects.select_for_update(of=("self",)).get(pk=partner.pk)
    data = {k: v for k, v in data.items() if k in PARTNER_FIELDS}
    if "name" in data:
        data["name"] = data["name"].strip()
        _check_unique_name(data["name"], exclude_pk=partner.pk)
    partner, changed = model_update(instance=partner, data=data)
    if logo:
        _check_logo(logo)
        old = partner.logo.name if partner.logo else ""
        partner.logo = logo
        partner.save(update_fields=["logo", "updated_at"])
        changed.append("logo")
        if old:
            transaction.on_commit(lambda: partner.logo.storage.delete(old))
    if changed:
        activity_log(
            target=partner, action="partner.updated", actor=actor, data={"fields": changed}
        )
    return partner


# --- Agreements ------------------------------------------------------------------------------

AGREEMENT_FIELDS = ["number", "title", "scope", "signed_on", "valid_from", "valid_to"]


def _check_document(document) -> None:
    from django.core.exceptions import ValidationError

    try:
        validate_upload(document, kind="agreement")
    except ValidationError as exc:
        raise ApplicationError(exc.messages[0], field_errors={"document": exc.messages}) from exc


def _check_dates(valid_from: date, valid_to: date) -> None:
    if valid_from and valid_to and valid_to < valid_from:
        raise ApplicationError(
            _("The end date must not be before the start date."),
            field_errors={"valid_to": [_("The end date must not be before the start date.")]},
        )


def _check_number(number: str, exclude_pk=None) -> None:
    qs = Agreement.objects.filter(number__iexact=number.strip())
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    if qs.exists():
        raise Conflict(
            _("An agreement with this number already exists."),
            field_errors={"number": [_("An agreement with this number already exists.")]},
        )


@transaction.atomic
def agreement_create(
    *,
    actor,
    partner: Partner,
    number: str,
    title: str,
    valid_from: date,
    valid_to: date,
    scope: str = "",
    signed_on: date | None = None,
    document=None,
) -> Agreement:
    _check_dates(valid_from, valid_to)
    _check_number(number)
    if document:
        _check_document(document)
    agreement = Agreement(
        partner=partner,
        number=number.strip(),
        title=title,
        scope=scope,
        signed_on=signed_on,
        valid_from=valid_from,
        valid_to=valid_to,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if document:
        agreement.document = document
        agreement.document_name = (getattr(document, "name", "") or "")[-200:]
    agreement.save()
    activity_log(
        target=agreement, action="agreement.created", actor=actor, to_state=agreement.status
    )
    return agreement


@transaction.atomic
def agreement_update(*, agreement: Agreement, actor, data: dict, document=None) -> Agreement:
    agreement = Agreement.objects.select_for_update(of=("self",)).get(pk=agreement.pk)
    if agreement.status == AgreementStatus.TERMINATED:
        raise InvalidTransition(_("A terminated agreement can no longer be changed."))
    data = {k: v for k, v in data.items() if k in AGREEMENT_FIELDS}
    _check_dates(
        data.get("valid_from", agreement.valid_from), data.get("valid_to", agreement.valid_to)
    )
    if "number" in data:
        data["number"] = data["number"].strip()
        _check_number(data["number"], exclude_pk=agreement.pk)
    if "valid_to" in data and data["valid_to"] != agreement.valid_to:
        # A new end date deserves a new reminder.
        data["reminder_sent_at"] = None
    agreement, changed = model_update(instance=agreement, data=data)
    if document:
        _check_document(document)
        old = agreement.document.name if agreement.document else ""
        agreement.document = document
        agreement.document_name = (getattr(document, "name", "") or "")[-200:]
        agreement.save(update_fields=["document", "document_name", "updated_at"])
        changed.append("document")
        if old:
            storage = agreement.document.storage
            transaction.on_commit(lambda: storage.delete(old))
    if changed:
        activity_log(
            target=agreement, action="agreement.updated", actor=actor, data={"fields": changed}
        )
    return agreement


@transaction.atomic
def agreement_transition(
    *, agreement: Agreement, to: str, actor=None, reason: str = ""
) -> Agreement:
    """The one way an agreement changes status (lock → no-op → table → save → log → notify)."""
    agreement = Agreement.objects.select_for_update(of=("self",)).get(pk=agreement.pk)
    source = agreement.status
    if source == to:
        return agreement
    if to not in AGREEMENT_TRANSITIONS.get(source, set()):
        raise InvalidTransition(
            _("An agreement cannot go from %(source)s to %(target)s.")
            % {
                "source": AgreementStatus(source).label,
                "target": AgreementStatus(to).label if to in AgreementStatus.values else to,
            }
        )
    today = timezone.localdate()
    if to == AgreementStatus.ACTIVE:
        errors = {}
        if not agreement.document:
            errors["document"] = [_("Upload the signed agreement (PDF) before activating it.")]
        if agreement.valid_to < today:
            errors["valid_to"] = [_("The agreement has already ended; move its end date first.")]
        if errors:
            first = next(iter(errors.values()))[0]
            raise InvalidTransition(first, field_errors=errors)
    if to == AgreementStatus.TERMINATED and not reason.strip():
        raise ApplicationError(
            _("Give a reason for terminating the agreement."),
            field_errors={"reason": [_("This field is required.")]},
        )
    if to == AgreementStatus.EXPIRED and agreement.valid_to >= today:
        raise InvalidTransition(_("The agreement has not reached its end date yet."))
    agreement.status = to
    agreement.save(update_fields=["status", "updated_at"])
    activity_log(
        target=agreement,
        action="agreement.status",
        actor=actor,
        from_state=source,
        to_state=to,
        reason=reason,
    )
    return agreement


def agreements_expire_due(*, today: date | None = None) -> int:
    """Active agreements whose end date has passed become expired. Returns how many."""
    today = today or timezone.localdate()
    count = 0
    for pk in Agreement.objects.filter(
        status=AgreementStatus.ACTIVE, valid_to__lt=today
    ).values_list("pk", flat=True):
        try:
            agreement_transition(
                agreement=Agreement(pk=pk),
                to=AgreementStatus.EXPIRED,
                reason=str(_("The end date has passed.")),
            )
            count += 1
        except InvalidTransition:
            continue  # changed meanwhile
    return count


def _office_recipients():
    from ikm_portal.accounts.choices import OFFICE_ROLES

    User = get_user_model()
    return (
        User.objects.filter(is_active=True)
        .filter(Q(groups__name__in=[str(r) for r in OFFICE_ROLES]) | Q(is_superuser=True))
        .distinct()
        .order_by("pk")
    )


def agreements_remind_expiring(*, today: date | None = None) -> int:
    """Remind the office of agreements that end within 30 days. Each agreement's reminder is
    claimed with a conditional UPDATE, so a second run (or a second worker) sends nothing."""
    today = today or timezone.localdate()
    horizon = today + timedelta(days=AGREEMENT_REMINDER_DAYS)
    due = Agreement.objects.filter(
        status=AgreementStatus.ACTIVE,
        valid_to__gte=today,
        valid_to__lte=horizon,
        reminder_sent_at__isnull=True,
    ).values_list("pk", flat=True)
    sent = 0
    for pk in list(due):
        with transaction.atomic():
            claimed = Agreement.objects.filter(pk=pk, reminder_sent_at__isnull=True).update(
                reminder_sent_at=timezone.now()
            )
            if not claimed:
                continue
            agreement = Agreement.objects.select_related("partner").get(pk=pk)
            _queue_expiry_reminder(agreement=agreement, today=today)
            activity_log(
                target=agreement,
                action="agreement.expiry_reminder",
                data={"valid_to": agreement.valid_to.isoformat()},
            )
            sent += 1
    return sent


def _queue_expiry_reminder(*, agreement: Agreement, today: date) -> None:

    context = {
        "agreement_number": agreement.number,
        "agreement_title": agreement.title,
        "partner_name": agreement.partner.name,
        "valid_to": agreement.valid_to,
        "days_left": agreement.days_to_expiry(today),
        "url": reverse("partnerships:agreement_detail", args=[agreement.pk]),
    }
    for user in _office_recipients():
        notification_queue(
            recipient=user,
            template="agreement_expiring",
            context=context,
            channels=["email", "in_app"],
            related=agreement,
            key=f"agreement-expiring:{agreement.pk}:{agreement.valid_to.isoformat()}:{user.pk}",
        )


# --- Members and invitations ------------------------------------------------------------------


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_link(token: str) -> str:
    from django.conf import settings

    return settings.SITE_URL.rstrip("/") + reverse("partnerships:invitation_accept", args=[token])


@transaction.atomic
def invitation_create(
    *, partner: Partner, email: str, role: str = MemberRole.REVIEWER, actor
) -> tuple[PartnerInvitation, str]:
    """Invite someone by e-mail. Returns the invitation and its token; only the token's hash is
    stored, so the link can be shown once to the inviter and sent once by e-mail."""
    User = get_user_model()
    email = User.objects.normalize_email(email).strip().lower()
    if role not in MemberRole.values:
        raise ApplicationError(field_errors={"role": [_("Unknown role.")]})
    if not partner.active:
        raise ApplicationError(_("This partner is not active."))
    if PartnerMember.objects.filter(user__email__iexact=email).exists():
        raise Conflict(
            _("This person is already a member of a partner."),
            field_errors={"email": [_("This person is already a member of a partner.")]},
        )
    # An earlier pending invitation to the same address is replaced by this one.
    now = timezone.now()
    PartnerInvitation.objects.filter(
        partner=partner,
        email__iexact=email,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=now,
    ).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    invitation = PartnerInvitation.objects.create(
        partner=partner,
        email=email,
        role=role,
        token_hash=_hash_token(token),
        invited_by=actor,
        expires_at=now + timedelta(days=INVITATION_VALID_DAYS),
    )
    activity_log(
        target=partner,
        action="partner.invitation_sent",
        actor=actor,
        data={"invitation": invitation.pk, "email": email, "role": role},
    )
    inviter_language = getattr(actor, "language", "") or ""
    notification_queue(
        recipient=Recipient(email=email, language=inviter_language),
        template="partner_invitation",
        context={
            "partner_name": partner.name,
            "role": role,
            "link": invitation_link(token),
            "expires_at": invitation.expires_at,
        },
        channels=["email"],
        related=invitation,
        key=f"partner-invitation:{invitation.pk}",
    )
    return invitation, token


@transaction.atomic
def invitation_revoke(*, invitation: PartnerInvitation, actor) -> PartnerInvitation:
    invitation = PartnerInvitation.objects.select_for_update(of=("self",)).get(pk=invitation.pk)
    if invitation.status == InvitationStatus.REVOKED:
        return invitation
    if invitation.status != InvitationStatus.PENDING:
        raise InvalidTransition(_("Only a pending invitation can be withdrawn."))
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at", "updated_at"])
    activity_log(
        target=invitation.partner,
        action="partner.invitation_revoked",
        actor=actor,
        data={"invitation": invitation.pk, "email": invitation.email},
    )
    return invitation


def invitation_lookup(*, token: str, for_update: bool = False) -> PartnerInvitation:
    """The pending invitation for a token, or InvitationInvalid saying why not."""
    qs = PartnerInvitation.objects.select_related("partner")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    invitation = qs.filter(token_hash=_hash_token(token or "")).first()
    if invitation is None:
        raise InvitationInvalid()
    status = invitation.status
    if status == InvitationStatus.ACCEPTED:
        raise InvitationInvalid(_("This invitation has already been used."), code="used")
    if status == InvitationStatus.REVOKED:
        raise InvitationInvalid(_("This invitation has been withdrawn."), code="revoked")
    if status == InvitationStatus.EXPIRED:
        raise InvitationInvalid(
            _("This invitation has expired. Ask the partner's manager for a new one."),
            code="expired",
        )
    if not invitation.partner.active:
        raise InvitationInvalid(_("This partner is no longer active."), code="inactive")
    return invitation


@transaction.atomic
def invitation_accept(
    *,
    token: str,
    user=None,
    full_name: str = "",
    password: str | None = None,
    phone: str = "",
    language: str = "id",
) -> PartnerMember:
    """Accept an invitation: a signed-in user whose e-mail it was sent to, or a new account for
    that e-mail. Single use: the row is locked, so two clicks make one member."""
    from ikm_portal.accounts.services import user_create

    invitation = invitation_lookup(token=token, for_update=True)
    User = get_user_model()
    if user is not None and user.is_authenticated:
        if user.email.lower() != invitation.email.lower():
            raise InvitationInvalid(
                _(
                    "This invitation was sent to another e-mail address. Log in with the "
                    "address it was sent to."
                ),
                code="wrong_user",
            )
        existing = PartnerMember.objects.filter(user=user).select_related("partner").first()
        if existing is not None:
            if existing.partner_id == invitation.partner_id:
                raise Conflict(_("You are already a member of this partner."))
            raise Conflict(
                _("You already belong to another partner; a person belongs to one partner only.")
            )
        user.groups.add(Group.objects.get_or_create(name=invitation.role)[0])
    else:
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise InvitationInvalid(
                _("An account with this e-mail address exists. Log in to accept the invitation."),
                code="login_required",
            )
        if not full_name.strip() or not password:
            raise ApplicationError(
                field_errors={
                    k: [_("This field is required.")]
                    for k, v in (("full_name", full_name.strip()), ("password", password))
                    if not v
                }
            )
        user = user_create(
            email=invitation.email,
            password=password,
            full_name=full_name.strip(),
            role=invitation.role,
            phone=phone,
            language=language,
            accepted_terms=True,
            consent_context="invitation",
        )
    try:
        with transaction.atomic():
            member = PartnerMember.objects.create(
                user=user, partner=invitation.partner, role=invitation.role
            )
    except IntegrityError as exc:
        raise Conflict(
            _("You already belong to another partner; a person belongs to one partner only.")
        ) from exc
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by", "updated_at"])
    activity_log(
        target=invitation.partner,
        action="partner.member_joined",
        actor=user,
        to_state=invitation.role,
        data={"invitation": invitation.pk, "member": member.pk},
    )
    user._partner_membership_cache = member
    return member


@transaction.atomic
def member_remove(*, member: PartnerMember, actor) -> None:
    """Remove a member from their partner; the person keeps their account but loses the
    partner role."""
    member = (
        PartnerMember.objects.select_for_update(of=("self",))
        .select_related("user")
        .get(pk=member.pk)
    )
    if actor is not None and member.user_id == actor.pk:
        raise ApplicationError(_("You cannot remove yourself."))
    if (
        member.role == MemberRole.MANAGER
        and not PartnerMember.objects.filter(partner_id=member.partner_id, role=MemberRole.MANAGER)
        .exclude(pk=member.pk)
        .exists()
        and not getattr(actor, "is_office", False)
    ):
        raise ApplicationError(_("A partner keeps at least one manager."))
    user = member.user
    partner = member.partner
    member.delete()
    user.groups.remove(*Group.objects.filter(name__in=MemberRole.values))
    activity_log(
        target=partner,
        action="partner.member_removed",
        actor=actor,
        from_state=member.role,
        data={"user": user.pk, "email": user.email},
    )
