"""Writes of the data-rights app: the access log, data-subject requests, erasure, retention."""

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import IntegerField, Model, Q, Value
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ikm_portal.core.exceptions import ApplicationError, Conflict, InvalidTransition
from ikm_portal.core.logging import request_id_var
from ikm_portal.core.services import activity_log
from ikm_portal.notifications.services import Recipient, notification_queue

from . import extensions
from .choices import REQUEST_TRANSITIONS, AccessAction, AccessChannel, RequestKind, RequestStatus
from .models import REQUEST_DEADLINE, AccessLog, DataRequest

logger = logging.getLogger(__name__)


# =============================================================================================
# The access log
# =============================================================================================


@dataclass
class Subject:
    """Whose data: the owner's account id and/or the business record, and what was seen."""

    user_id: int | None = None
    name: str = ""
    record_model: type[Model] | None = None
    record_id: int | None = None
    target_model: type[Model] | None = None
    target_id: int | None = None
    details: dict = field(default_factory=dict)

    @classmethod
    def of(cls, *, record=None, user_id=None, name="", target=None, details=None) -> "Subject":
        return cls(
            user_id=user_id,
            name=name,
            record_model=type(record) if record is not None else None,
            record_id=record.pk if record is not None else None,
            target_model=type(target) if target is not None else None,
            target_id=target.pk if target is not None else None,
            details=details or {},
        )


def _ct(model):
    return ContentType.objects.get_for_model(model) if model is not None else None


def access_log_record(
    *,
    action: str,
    actor,
    subjects: Iterable[Subject],
    channel: str = "",
    reason: str = "",
    organisation: str = "",
    path: str = "",
    details: dict | None = None,
) -> list[AccessLog]:
    """Log one row per subject: ``actor`` did ``action`` to their personal data (UU 27/2022).

    Call it before the data leaves (a page rendered, an export streamed): a row too many is
    better than a disclosure without one."""
    if action not in AccessAction.values:
        raise ValueError(action)
    if channel and channel not in AccessChannel.values:
        raise ValueError(channel)
    actor_ok = actor is not None and getattr(actor, "is_authenticated", False)
    now = timezone.now()
    base = {
        "created_at": now,
        "action": action,
        "channel": channel,
        "actor": actor if actor_ok else None,
        "actor_name": (actor.get_full_name() if actor_ok else "")[:150],
        "actor_email": actor.email if actor_ok else "",
        "organisation": organisation[:200],
        "reason": reason,
        "request_id": request_id_var.get()[:64],
        "path": path[:255],
    }
    rows = [
        AccessLog(
            **base,
            subject_user_id=s.user_id,
            subject_name=s.name[:200],
            subject_type=_ct(s.record_model),
            subject_id=s.record_id,
            object_type=_ct(s.target_model),
            object_id=s.target_id,
            details={**(details or {}), **s.details},
        )
        for s in subjects
    ]
    return AccessLog.objects.bulk_create(rows, batch_size=2000)


def access_log_record_queryset(
    *,
    action: str,
    actor,
    queryset,
    subject_user: str | None,
    subject_name,
    channel: str = "",
    reason: str = "",
    path: str = "",
    details: dict | None = None,
) -> int:
    """One row per record of ``queryset`` (the record is the subject), written by the database
    in one ``INSERT … SELECT``: an export of 100,000 businesses is logged in about a second
    instead of building 100,000 objects in Python. ``subject_user`` names the owner field
    ("owner_id"), ``subject_name`` is a field name or an expression for the copied name."""
    from django.db import connection
    from django.db.models import F

    if action not in AccessAction.values:
        raise ValueError(action)
    actor_ok = actor is not None and getattr(actor, "is_authenticated", False)
    rows = (
        queryset.order_by()
        .annotate(
            _dr_pk=F("pk"),
            _dr_user=F(subject_user) if subject_user else Value(None, IntegerField()),
            _dr_name=F(subject_name) if isinstance(subject_name, str) else subject_name,
        )
        .values_list("_dr_pk", "_dr_user", "_dr_name")
    )
    select_sql, select_params = rows.query.sql_with_params()
    table = connection.ops.quote_name(AccessLog._meta.db_table)
    columns = ", ".join(
        connection.ops.quote_name(c)
        for c in (
            "created_at",
            "action",
            "channel",
            "actor_id",
            "actor_name",
            "actor_email",
            "organisation",
            "reason",
            "request_id",
            "path",
            "details",
            "subject_type_id",
            "subject_user_id",
            "subject_id",
            "subject_name",
        )
    )
    as_json = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    q = connection.ops.quote_name
    # Identifiers come from the model and the ORM's own SQL of the queryset; every value is a
    # parameter.
    sql = (
        f"INSERT INTO {table} ({columns}) "  # noqa: S608
        f"SELECT %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, {as_json}, %s, "
        f"sub.{q('_dr_user')}, sub.{q('_dr_pk')}, "
        f"SUBSTR(COALESCE(sub.{q('_dr_name')}, ''), 1, 200) "
        f"FROM ({select_sql}) sub"
    )
    params = [
        connection.ops.adapt_datetimefield_value(timezone.now()),
        action,
        channel,
        actor.pk if actor_ok else None,
        (actor.get_full_name() if actor_ok else "")[:150],
        actor.email if actor_ok else "",
        "",
        reason,
        request_id_var.get()[:64],
        path[:255],
        json.dumps(details or {}),
        ContentType.objects.get_for_model(queryset.model).pk,
        *select_params,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


# =============================================================================================
# Download all my data
# =============================================================================================


def personal_data_collect(*, user) -> dict:
    """Everything the portal holds about ``user``: the account, their requests, who saw their
    data, then each domain app's part (the ``personal_data_export`` hook)."""
    from . import selectors

    account = {
        "email": user.email,
        "full_name": user.full_name,
        "phone": user.phone,
        "language": user.language,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "roles": user.roles,
        "terms_version": user.terms_version,
        "privacy_version": user.privacy_version,
        "terms_accepted_at": user.terms_accepted_at,
    }
    requests = [
        {
            "kind": r.kind,
            "status": r.status,
            "details": r.details,
            "created_at": r.created_at,
            "due_at": r.due_at,
            "response": r.response,
            "kept": r.kept,
        }
        for r in user.data_requests.all()
    ]
    seen = [
        {
            "time": e.created_at,
            "who": e.actor_name or e.actor_email,
            "organisation": e.organisation,
            "how": e.channel,
        }
        for e in selectors.access_log_for_owner(user=user)
    ]
    data = {
        "generated_at": timezone.now(),
        "office": settings.OFFICE_NAME,
        "account": {"title": _("Account"), "data": account},
        "data_requests": {"title": _("Data requests"), "data": requests},
        "access_log": {"title": _("Who saw my data"), "data": seen},
    }
    data.update(extensions.personal_data_export(user))
    return data


# =============================================================================================
# Data-subject requests
# =============================================================================================


def data_request_create(*, user, kind: str, details: str = "") -> DataRequest:
    if kind not in RequestKind.values:
        raise ApplicationError(_("Choose a kind of request."), field_errors={"kind": ["invalid"]})
    if kind == RequestKind.CORRECTION and not details.strip():
        raise ApplicationError(
            _("Say which data is wrong and what is right."),
            field_errors={"details": [_("This field is required.")]},
        )
    now = timezone.now()
    try:
        with transaction.atomic():
            request = DataRequest.objects.create(
                user=user,
                user_name=(user.full_name or user.email)[:150],
                kind=kind,
                details=details.strip(),
                due_at=now + REQUEST_DEADLINE,
            )
            # Exactly 72 hours after the stored creation time.
            request.due_at = request.created_at + REQUEST_DEADLINE
            request.save(update_fields=["due_at"])
            activity_log(target=request, action="datarights.request_created", actor=user)
    except IntegrityError as exc:
        raise Conflict(_("You already have an open request of this kind.")) from exc
    return request


def staff_handlers():
    """Active office users who may handle data requests (the reminder's recipients)."""
    from django.contrib.auth.models import Permission

    from ikm_portal.accounts.choices import OFFICE_ROLES

    perm = Permission.objects.get(
        content_type__app_label="datarights", codename="change_datarequest"
    )
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(groups__name__in=OFFICE_ROLES))
        .filter(Q(is_superuser=True) | Q(groups__permissions=perm) | Q(user_permissions=perm))
        .distinct()
        .order_by("pk")
    )


def data_request_transition(
    *, request: DataRequest, to_status: str, actor, response: str = ""
) -> DataRequest:
    """Move a request along REQUEST_TRANSITIONS; answering it (done or refused) notifies the
    owner. Completing an erasure anonymises their data first (``personal_data_erase``)."""
    if to_status not in RequestStatus.values:
        raise InvalidTransition()
    with transaction.atomic():
        request = DataRequest.objects.select_for_update().get(pk=request.pk)
        if request.status == to_status:
            return request
        if to_status not in REQUEST_TRANSITIONS[request.status]:
            raise InvalidTransition()
        answering = to_status in (RequestStatus.DONE, RequestStatus.REFUSED)
        if answering and not response.strip():
            raise ApplicationError(
                _("Write the answer the owner will receive."),
                field_errors={"response": [_("This field is required.")]},
            )
        from_status = request.status
        owner = request.user
        # The address before an erasure blanks it: the owner still hears the outcome.
        recipient = _recipient_of(owner) if owner is not None and owner.email else None
        kept: list[tuple[str, str]] = []
        if to_status == RequestStatus.DONE and request.kind == RequestKind.ERASURE and owner:
            # What is kept, and why, is stored in the owner's language: they read it.
            with translation.override(owner.language or settings.LANGUAGE_CODE):
                kept = personal_data_erase(user=owner, actor=actor)
        request.status = to_status
        request.handled_by = actor
        fields = ["status", "handled_by", "updated_at"]
        if answering:
            request.response = response.strip()
            request.closed_at = timezone.now()
            request.kept = [{"what": w, "why": y} for w, y in kept]
            fields += ["response", "closed_at", "kept"]
        request.save(update_fields=fields)
        activity_log(
            target=request,
            action="datarights.request_transition",
            actor=actor,
            from_state=from_status,
            to_state=to_status,
            reason=request.response if answering else "",
        )
        if answering and owner is not None and recipient is not None:
            owner.refresh_from_db(fields=["is_active"])
            if owner.is_active:
                recipient = owner
            notification_queue(
                recipient=recipient,
                template="datarights_request_answered",
                context={
                    "kind": request.get_kind_display(),
                    "status": request.status,
                    "status_label": request.get_status_display(),
                    "response": request.response,
                    "kept": request.kept,
                    "url": reverse("datarights:mine"),
                },
                channels=["email", "in_app"],
                related=request,
                key=f"datarights-request-answered:{request.pk}",
            )
    return request


def _recipient_of(user):
    return Recipient(
        email=user.email or "",
        phone="",
        name=user.get_full_name() or "",
        language=user.language or "",
    )


def data_request_remind(*, now=None) -> int:
    """Remind handlers of open requests whose deadline is near (PRIVACY_REQUEST_REMIND_HOURS
    before it). Each request is claimed with a conditional UPDATE, so a second run (or a second
    beat) reminds nobody twice. Returns how many requests were reminded about."""
    now = now or timezone.now()
    soon = now + timedelta(hours=settings.PRIVACY_REQUEST_REMIND_HOURS)
    due = DataRequest.objects.filter(
        status__in=[RequestStatus.OPEN, RequestStatus.IN_PROGRESS],
        reminded_at__isnull=True,
        due_at__lte=soon,
    ).order_by("due_at")
    reminded = 0
    for request in due:
        with transaction.atomic():
            claimed = DataRequest.objects.filter(pk=request.pk, reminded_at__isnull=True).update(
                reminded_at=now
            )
            if not claimed:
                continue
            context = {
                "kind": request.get_kind_display(),
                "number": request.pk,
                "due_at": request.due_at,
                "url": reverse("datarights:request_detail", args=[request.pk]),
            }
            for user in staff_handlers():
                notification_queue(
                    recipient=user,
                    template="datarights_request_due",
                    context=context,
                    channels=["email", "in_app"],
                    related=request,
                    key=f"datarights-request-due:{request.pk}:{user.pk}",
                )
            reminded += 1
    return reminded


# =============================================================================================
# Erasure and retention
# =============================================================================================


def personal_data_erase(*, user, actor) -> list[tuple[str, str]]:
    """Anonymise what neither the law nor an open programme requires to keep; return what is
    kept and why. Runs inside the caller's transaction (data_request_transition)."""
    holds = extensions.personal_data_holds(user)
    kept = extensions.personal_data_erase(user, actor=actor, holds=holds)
    kept.extend((h.what, h.why) for h in holds if (h.what, h.why) not in kept)
    if holds:
        kept.append(
            (
                _("Your account"),
                _("Needed while a programme you applied to is open; ask again when it closes."),
            )
        )
    else:
        _account_anonymise(user=user, actor=actor)
    # The access log keeps who saw the data (the law asks for it) but no longer the name.
    AccessLog.objects.filter(subject_user=user).update(subject_name="")
    DataRequest.objects.filter(user=user).update(user_name="", details="")
    return kept


def _account_anonymise(*, user, actor) -> None:
    from rest_framework.authtoken.models import Token

    Token.objects.filter(user=user).delete()
    user.full_name = ""
    user.email = f"erased-{user.pk}@erased.invalid"
    user.phone = ""
    user.is_active = False
    user.set_unusable_password()
    user.save(update_fields=["full_name", "email", "phone", "is_active", "password"])
    activity_log(target=user, action="datarights.account_anonymised", actor=actor)


def retention_sweep(*, now=None) -> list[tuple[str, int]]:
    """Anonymise rejected or abandoned drafts untouched for PRIVACY_DRAFT_RETENTION_DAYS.
    Idempotent: each app selects only what still holds personal data."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.PRIVACY_DRAFT_RETENTION_DAYS)
    done = extensions.personal_data_retention(cutoff=cutoff)
    for label, count in done:
        logger.info("retention: %s anonymised: %s", label, count)
    return done
