"""Writing businesses: create, update (drafts per step, staff edits), status transitions,
change requests, claims, facilitation records and documents. Pages, the API, the import, the
merge and the admin site all write through these functions."""

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ikm_portal.core.crypto import TOKEN_PREFIX, InvalidToken, decrypt_text, encrypt_text
from ikm_portal.core.exceptions import ApplicationError, Conflict, InvalidTransition
from ikm_portal.core.services import activity_log
from ikm_portal.privacy.choices import ConsentChannel, ConsentContext, Purpose
from ikm_portal.privacy.selectors import notice_current_version
from ikm_portal.privacy.services import consent_give

from ..choices import (
    CHANGE_REQUEST_TRANSITIONS,
    CLAIM_TRANSITIONS,
    REASON_REQUIRED_TARGETS,
    STAFF_ONLY_TARGETS,
    TRANSITION_ACTIONS,
    ChangeRequestStatus,
    ClaimStatus,
    EnterpriseStatus,
    HistorySource,
    RegistrationSource,
    enterprise_can_transition,
)
from ..errors import NotEditable
from ..models import (
    EDITABLE_FIELDS,
    PRODUCT_FIELDS,
    Certification,
    ChangeRequest,
    Enterprise,
    EnterpriseClaim,
    Product,
    product_names_of,
)
from ..permissions import can_edit, is_office
from ..validators import validate_kbli_for_product, validate_kelurahan
from .derive import enterprise_derive
from .duplicates import duplicates_check_exact, duplicates_flag
from .history import enterprise_snapshot, history_record
from .notify import notify_owner_of_decision

# What an owner must have filled in before submitting (the office's import asks for less).
REQUIRED_FOR_SUBMIT = (
    "owner_name",
    "owner_nik",
    "owner_gender",
    "phone",
    "name",
    "legal_form",
    "year_established",
    "address",
    "kelurahan",
    "investment_idr",
    "annual_turnover_idr",
)


def _field_label(field: str) -> str:
    return str(Enterprise._meta.get_field(field).verbose_name)


def enterprise_missing(enterprise: Enterprise) -> dict[str, list[str]]:
    """Field errors that stop a submission (empty on a complete record)."""
    errors: dict[str, list[str]] = {}
    for field in REQUIRED_FOR_SUBMIT:
        value = getattr(enterprise, f"{field}_id" if field == "kelurahan" else field)
        if value in (None, ""):
            errors[field] = [_("%(field)s is required.") % {"field": _field_label(field)}]
    if enterprise.workers_total < 1:
        errors["workers_male"] = [_("A business has at least one worker (the owner counts).")]
    if not enterprise.products.exists():
        errors["products"] = [_("Add at least one product with its KBLI code.")]
    if not enterprise.consent_at:
        errors["consent"] = [_("The owner must accept the privacy notice.")]
    return errors


def _check_values(data: dict[str, Any]) -> None:
    """Rules that hold for every writer, on top of the forms' and serializers' formats."""
    if data.get("kelurahan") is not None:
        try:
            validate_kelurahan(data["kelurahan"])
        except ValidationError as exc:
            raise ApplicationError(
                exc.messages[0], field_errors={"kelurahan": exc.messages}
            ) from exc


def _apply(enterprise: Enterprise, data: dict[str, Any]) -> None:
    for field, value in data.items():
        if field not in (*EDITABLE_FIELDS, "owner"):
            raise ValueError(f"{field} is not an editable field")
        if field in ("kelurahan", "sentra", "owner"):
            setattr(enterprise, field, value)
        elif isinstance(Enterprise._meta.get_field(field).default, int) and value is None:
            setattr(enterprise, field, 0)
        else:
            setattr(enterprise, field, "" if value is None and _is_text(field) else value)


def _is_text(field: str) -> bool:
    return Enterprise._meta.get_field(field).get_internal_type() in (
        "CharField",
        "TextField",
        "EmailField",
    )


def _replace_products(enterprise: Enterprise, products: list[dict]) -> None:
    for item in products:
        try:
            validate_kbli_for_product(item["kbli"])
        except ValidationError as exc:
            raise ApplicationError(
                exc.messages[0], field_errors={"products": exc.messages}
            ) from exc
    enterprise.products.all().delete()
    Product.objects.bulk_create(
        [
            Product(
                enterprise=enterprise,
                position=i,
                kbli=item["kbli"],
                kbli_code=item["kbli"].code,
                kbli_version=item["kbli"].version,
                name=item["name"],
                capacity_per_year=item.get("capacity_per_year"),
                capacity_unit=item.get("capacity_unit") or "",
                raw_materials=item.get("raw_materials") or "",
                marketing_reach=item.get("marketing_reach") or "",
            )
            for i, item in enumerate(products)
        ]
    )
    enterprise.product_names = product_names_of(item["name"] for item in products)
    Enterprise.objects.filter(pk=enterprise.pk).update(product_names=enterprise.product_names)


def _replace_certifications(enterprise: Enterprise, certifications: list[dict]) -> None:
    enterprise.certifications.all().delete()
    Certification.objects.bulk_create(
        [
            Certification(
                enterprise=enterprise,
                kind=item["kind"],
                number=item.get("number") or "",
                expires_on=item.get("expires_on"),
            )
            for item in certifications
        ]
    )


def _save(enterprise: Enterprise) -> None:
    try:
        with transaction.atomic():
            enterprise.save()
    except IntegrityError as exc:
        # Two writers raced past the duplicate check; the database constraint is the last line.
        raise Conflict(_("This business is already registered.")) from exc


@transaction.atomic
def enterprise_create(
    *,
    actor,
    data: dict[str, Any],
    owner=None,
    products: list[dict] | None = None,
    certifications: list[dict] | None = None,
    source: str = RegistrationSource.ONLINE,
    history_source: str = HistorySource.PAGE,
    consent: bool = False,
    draft_step: int = 0,
) -> Enterprise:
    """A new business, as a draft. Owners create for themselves; staff for anyone (walk-in,
    enumerator) with or without an owner account."""
    if owner is not None and actor is not None and not is_office(actor) and owner != actor:
        raise PermissionDenied
    _check_values(data)
    enterprise = Enterprise(owner=owner, created_by=actor if _real(actor) else None, source=source)
    _apply(enterprise, data)
    if consent:
        enterprise.consent_version = notice_current_version()
        enterprise.consent_at = timezone.now()
    enterprise.draft_step = draft_step
    enterprise_derive(enterprise)
    duplicates_check_exact(enterprise=enterprise)
    _save(enterprise)
    if consent:
        _record_consent(enterprise, actor, history_source)
    if products is not None:
        _replace_products(enterprise, products)
    if certifications is not None:
        _replace_certifications(enterprise, certifications)
    history_record(
        enterprise=enterprise,
        actor=actor,
        source=history_source,
        before={},
        after=enterprise_snapshot(enterprise),
    )
    activity_log(
        target=enterprise,
        action="enterprise.create",
        actor=actor,
        to_state=enterprise.status,
        data={"source": source},
    )
    return enterprise


def _record_consent(enterprise: Enterprise, actor, source: str) -> None:
    """The owner acknowledged the notice for the register (purpose a). Staff registering a
    walk-in owner with an account record it on their behalf (signed form at the office); an
    owner without an account has it on the business row only (consent_version, consent_at)."""
    if enterprise.owner_id is None:
        return
    consent_give(
        user=enterprise.owner,
        purpose=Purpose.REGISTRY,
        context=ConsentContext.REGISTRATION,
        channel=ConsentChannel.API if source == HistorySource.API else ConsentChannel.PAGE,
        actor=actor if _real(actor) else None,
    )


def _real(actor) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


@transaction.atomic
def enterprise_update(
    *,
    enterprise: Enterprise,
    actor,
    data: dict[str, Any],
    products: list[dict] | None = None,
    certifications: list[dict] | None = None,
    source: str = HistorySource.PAGE,
    draft_step: int | None = None,
    consent: bool = False,
    check_editable: bool = True,
) -> Enterprise:
    """Change fields of a business (and replace its products or certifications when given).

    Owners change their draft or returned record only; staff any record that is not archived.
    Change requests, merges and imports pass `check_editable=False` (they checked their own
    rules)."""
    enterprise = (
        Enterprise.objects.select_for_update(of=("self",))
        .select_related("kelurahan", "sentra", "owner")
        .get(pk=enterprise.pk)
    )
    if check_editable and not can_edit(actor, enterprise):
        raise NotEditable()
    _check_values(data)
    before = enterprise_snapshot(enterprise)
    _apply(enterprise, data)
    if draft_step is not None:
        enterprise.draft_step = max(enterprise.draft_step, draft_step)
    consent_now = consent and not enterprise.consent_at
    if consent_now:
        enterprise.consent_version = notice_current_version()
        enterprise.consent_at = timezone.now()
    enterprise_derive(enterprise)
    duplicates_check_exact(enterprise=enterprise)
    _save(enterprise)
    if consent_now:
        _record_consent(enterprise, actor, source)
    if products is not None:
        _replace_products(enterprise, products)
    if certifications is not None:
        _replace_certifications(enterprise, certifications)
    after = enterprise_snapshot(enterprise)
    changes = history_record(
        enterprise=enterprise, actor=actor, source=source, before=before, after=after
    )
    if changes and enterprise.status != EnterpriseStatus.DRAFT:
        near = {"name", "kelurahan", "phone", "owner_nik"}
        if near & {c.field for c in changes}:
            duplicates_flag(enterprise)
    return enterprise


def enterprise_set_status(
    *,
    enterprise: Enterprise,
    to_status: str,
    actor,
    reason: str = "",
    source: str = HistorySource.PAGE,
    extra: dict | None = None,
    action: str | None = None,
) -> Enterprise:
    """Write a status change that was already checked (the caller holds the row lock)."""
    from_status = enterprise.status
    now = timezone.now()
    before = enterprise_snapshot(enterprise, related=False)
    enterprise.status = to_status
    enterprise.status_changed_at = now
    fields = ["status", "status_changed_at", "status_reason", "updated_at"]
    enterprise.status_reason = reason if to_status in REASON_REQUIRED_TARGETS else ""
    if to_status == EnterpriseStatus.SUBMITTED:
        enterprise.submitted_at = now
        fields.append("submitted_at")
    if to_status == EnterpriseStatus.VERIFIED:
        enterprise.verified_at = now
        enterprise.verified_by = actor if _real(actor) else None
        fields += ["verified_at", "verified_by"]
    for field, value in (extra or {}).items():
        setattr(enterprise, field, value)
        fields.append(field)
    enterprise.save(update_fields=fields)
    history_record(
        enterprise=enterprise,
        actor=actor,
        source=source,
        before=before,
        after=enterprise_snapshot(enterprise, related=False),
    )
    activity_log(
        target=enterprise,
        action=f"enterprise.{action or TRANSITION_ACTIONS[to_status]}",
        actor=actor,
        from_state=from_status,
        to_state=to_status,
        reason=reason,
    )
    if to_status in STAFF_ONLY_TARGETS:
        # The outbox row is written in this transaction; the outbox delivers after commit.
        notify_owner_of_decision(enterprise_id=enterprise.pk, status=to_status)
    return enterprise


@transaction.atomic
def enterprise_transition(
    *,
    enterprise: Enterprise,
    to_status: str,
    actor,
    reason: str = "",
    source: str = HistorySource.PAGE,
) -> Enterprise:
    """The one way a business changes status: lock → no-op if already there → check the table →
    save → history and activity log → notify the owner (after commit)."""
    locked = (
        Enterprise.objects.select_for_update(of=("self",))
        .select_related("kelurahan", "sentra", "owner")
        .get(pk=enterprise.pk)
    )
    # Who may ask comes first: an owner "verifying" their verified business is refused, not a
    # silent no-op that answers 200.
    office = actor is None or is_office(actor)
    if to_status in STAFF_ONLY_TARGETS and not (
        office and (actor is None or actor.has_perm("registry.verify_enterprise"))
    ):
        raise PermissionDenied
    if locked.status == to_status:
        return locked
    if not enterprise_can_transition(locked.status, to_status):
        raise InvalidTransition(
            _("A business that is “%(from)s” cannot become “%(to)s”.")
            % {
                "from": EnterpriseStatus(locked.status).label,
                "to": EnterpriseStatus(to_status).label,
            }
        )
    if to_status == EnterpriseStatus.SUBMITTED and not (office or locked.owner_id == actor.pk):
        raise PermissionDenied
    reason = (reason or "").strip()
    if to_status in REASON_REQUIRED_TARGETS and not reason:
        message = _("Give a reason; the owner will read it.")
        raise ApplicationError(message, field_errors={"reason": [message]})
    if to_status == EnterpriseStatus.SUBMITTED:
        missing = enterprise_missing(locked)
        if missing:
            raise ApplicationError(_("The registration is not complete yet."), field_errors=missing)
        duplicates_check_exact(enterprise=locked)
    enterprise_set_status(
        enterprise=locked, to_status=to_status, actor=actor, reason=reason, source=source
    )
    if to_status == EnterpriseStatus.SUBMITTED:
        duplicates_flag(locked)
    return locked


def enterprise_submit(*, enterprise, actor, source=HistorySource.PAGE) -> Enterprise:
    return enterprise_transition(
        enterprise=enterprise, to_status=EnterpriseStatus.SUBMITTED, actor=actor, source=source
    )


def enterprise_verify(*, enterprise, actor, source=HistorySource.PAGE) -> Enterprise:
    return enterprise_transition(
        enterprise=enterprise, to_status=EnterpriseStatus.VERIFIED, actor=actor, source=source
    )


def enterprise_request_revision(
    *, enterprise, actor, reason: str, source=HistorySource.PAGE
) -> Enterprise:
    return enterprise_transition(
        enterprise=enterprise,
        to_status=EnterpriseStatus.NEEDS_REVISION,
        actor=actor,
        reason=reason,
        source=source,
    )


def enterprise_reject(*, enterprise, actor, reason: str, source=HistorySource.PAGE) -> Enterprise:
    return enterprise_transition(
        enterprise=enterprise,
        to_status=EnterpriseStatus.REJECTED,
        actor=actor,
        reason=reason,
        source=source,
    )


def enterprise_archive(*, enterprise, actor, reason: str, source=HistorySource.PAGE) -> Enterprise:
    return enterprise_transition(
        enterprise=enterprise,
        to_status=EnterpriseStatus.ARCHIVED,
        actor=actor,
        reason=reason,
        source=source,
    )


# --- Change requests: an owner proposes, the office approves or refuses ---


def _json_value(value):
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, Decimal):
        value = value.normalize()
        return format(value, "f")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def change_request_payload(
    *, enterprise: Enterprise, data: dict[str, Any], products: list[dict] | None = None
) -> dict:
    """The proposed values that differ from the record, as JSON."""
    payload = {}
    for field, value in data.items():
        current = getattr(enterprise, field)
        if _json_value(current) != _json_value(value) and not (
            current in (None, "") and value in (None, "")
        ):
            payload[field] = _json_value(value)
    if payload.get("owner_nik"):
        # Personal data at rest: the proposed NIK is kept encrypted like the record's own.
        payload["owner_nik"] = encrypt_text(payload["owner_nik"])
    if products is not None:
        proposed = [{k: _json_value(v) for k, v in p.items()} for p in products]
        current = [
            {f: _json_value(getattr(p, f)) for f in PRODUCT_FIELDS}
            for p in enterprise.products.all()
        ]
        if proposed != current:
            payload["products"] = proposed
    return payload


def proposed_nik(value: str) -> str:
    """The plain NIK of a change request's payload (encrypted since migration 0004)."""
    if value and value.startswith(TOKEN_PREFIX):
        try:
            return decrypt_text(value)
        except InvalidToken:
            return ""
    return value or ""


def change_request_values(payload: dict) -> tuple[dict[str, Any], list[dict] | None]:
    """JSON payload → (data, products) with model instances, for enterprise_update."""
    from ..models import Kbli, Region, Sentra

    data: dict[str, Any] = {}
    for field, value in payload.items():
        if field == "products":
            continue
        if field == "kelurahan":
            value = Region.objects.get(pk=value) if value else None
        elif field == "sentra":
            value = Sentra.objects.get(pk=value) if value else None
        elif field == "owner_nik":
            value = proposed_nik(value)
        data[field] = value
    products = None
    if "products" in payload:
        kblis = Kbli.objects.in_bulk([p["kbli"] for p in payload["products"]])
        products = [p | {"kbli": kblis[p["kbli"]]} for p in payload["products"]]
    return data, products


@transaction.atomic
def change_request_create(
    *,
    enterprise: Enterprise,
    actor,
    data: dict[str, Any],
    products: list[dict] | None = None,
    note: str = "",
) -> ChangeRequest:
    enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    if enterprise.status != EnterpriseStatus.VERIFIED:
        raise Conflict(_("Change requests are for verified businesses; edit the record itself."))
    if not (enterprise.owner_id == actor.pk or is_office(actor)):
        raise PermissionDenied
    _check_values(data)
    payload = change_request_payload(enterprise=enterprise, data=data, products=products)
    if not payload:
        raise ApplicationError(_("Nothing was changed."))
    if ChangeRequest.objects.filter(
        enterprise=enterprise, status=ChangeRequestStatus.PENDING
    ).exists():
        raise Conflict(_("This business already has a change request waiting for the office."))
    change_request = ChangeRequest.objects.create(
        enterprise=enterprise, requested_by=actor, data=payload, note=note
    )
    activity_log(
        target=enterprise,
        action="enterprise.change_requested",
        actor=actor,
        data={"change_request": change_request.pk, "fields": sorted(payload)},
    )
    return change_request


@transaction.atomic
def change_request_transition(
    *, change_request: ChangeRequest, to_status: str, actor, reason: str = ""
) -> ChangeRequest:
    change_request = (
        ChangeRequest.objects.select_for_update(of=("self",))
        .select_related("enterprise")
        .get(pk=change_request.pk)
    )
    if change_request.status == to_status:
        return change_request
    if to_status not in CHANGE_REQUEST_TRANSITIONS[change_request.status]:
        raise InvalidTransition(
            _("A change request that is “%(from)s” cannot become “%(to)s”.")
            % {
                "from": ChangeRequestStatus(change_request.status).label,
                "to": ChangeRequestStatus(to_status).label,
            }
        )
    if to_status == ChangeRequestStatus.WITHDRAWN:
        if change_request.requested_by_id != actor.pk:
            raise PermissionDenied
    elif not (is_office(actor) and actor.has_perm("registry.change_changerequest")):
        raise PermissionDenied
    reason = (reason or "").strip()
    if to_status == ChangeRequestStatus.REFUSED and not reason:
        message = _("Give a reason; the owner will read it.")
        raise ApplicationError(message, field_errors={"reason": [message]})
    if to_status == ChangeRequestStatus.APPROVED:
        data, products = change_request_values(change_request.data)
        enterprise_update(
            enterprise=change_request.enterprise,
            actor=actor,
            data=data,
            products=products,
            source=HistorySource.CHANGE_REQUEST,
            check_editable=False,
        )
    from_status = change_request.status
    change_request.status = to_status
    change_request.reason = reason
    change_request.decided_by = actor
    change_request.decided_at = timezone.now()
    change_request.save(
        update_fields=["status", "reason", "decided_by", "decided_at", "updated_at"]
    )
    activity_log(
        target=change_request.enterprise,
        action=f"change_request.{to_status}",
        actor=actor,
        from_state=from_status,
        to_state=to_status,
        reason=reason,
        data={"change_request": change_request.pk},
    )
    if to_status in (ChangeRequestStatus.APPROVED, ChangeRequestStatus.REFUSED):
        notify_owner_of_decision(
            enterprise_id=change_request.enterprise_id,
            status=to_status,
            change_request_id=change_request.pk,
        )
    return change_request


# --- Claims: an owner account takes over a business the office registered ---


@transaction.atomic
def claim_create(*, user, nib: str = "", phone: str = "", name: str = "") -> EnterpriseClaim:
    """Find an unclaimed business by its NIB, or by its phone number and name, and ask the
    office to confirm. The office sees whether the account's phone or e-mail matches."""
    from .derive import name_key

    qs = Enterprise.objects.filter(owner__isnull=True).exclude(
        status__in=[EnterpriseStatus.ARCHIVED, EnterpriseStatus.REJECTED]
    )
    enterprise = None
    if nib:
        enterprise = qs.filter(nib=nib).first()
    elif phone and name:
        enterprise = qs.filter(phone=phone, name_key=name_key(name)).first()
    if enterprise is None:
        raise ApplicationError(
            _(
                "No business without an owner account matches. Check the NIB, or the phone "
                "number and name the office registered, or contact the office."
            )
        )
    if EnterpriseClaim.objects.filter(
        enterprise=enterprise, user=user, status=ClaimStatus.PENDING
    ).exists():
        raise Conflict(_("You have already claimed this business; the office will confirm."))
    claim = EnterpriseClaim.objects.create(
        enterprise=enterprise,
        user=user,
        phone_match=bool(enterprise.phone and enterprise.phone == user.phone),
        email_match=bool(enterprise.email and enterprise.email.lower() == user.email.lower()),
    )
    activity_log(target=enterprise, action="enterprise.claimed", actor=user)
    return claim


@transaction.atomic
def claim_transition(
    *, claim: EnterpriseClaim, to_status: str, actor, reason: str = ""
) -> EnterpriseClaim:
    claim = EnterpriseClaim.objects.select_for_update().get(pk=claim.pk)
    if claim.status == to_status:
        return claim
    if to_status not in CLAIM_TRANSITIONS[claim.status]:
        raise InvalidTransition()
    if not (is_office(actor) and actor.has_perm("registry.change_enterpriseclaim")):
        raise PermissionDenied
    if to_status == ClaimStatus.APPROVED:
        enterprise = Enterprise.objects.select_for_update().get(pk=claim.enterprise_id)
        if enterprise.owner_id is not None:
            raise Conflict(_("This business already has an owner account."))
        enterprise_update(
            enterprise=enterprise,
            actor=actor,
            data={"owner": claim.user},
            check_editable=False,
        )
        EnterpriseClaim.objects.filter(enterprise=enterprise, status=ClaimStatus.PENDING).exclude(
            pk=claim.pk
        ).update(
            status=ClaimStatus.REFUSED,
            reason=_("Another account's claim was approved."),
            decided_by=actor,
            decided_at=timezone.now(),
        )
    claim.status = to_status
    claim.reason = (reason or "").strip()
    claim.decided_by = actor
    claim.decided_at = timezone.now()
    claim.save(update_fields=["status", "reason", "decided_by", "decided_at", "updated_at"])
    activity_log(
        target=claim.enterprise,
        action=f"claim.{to_status}",
        actor=actor,
        to_state=to_status,
        reason=claim.reason,
        data={"user": claim.user_id},
    )
    return claim
