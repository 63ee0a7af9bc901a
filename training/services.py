"""Writes for programmes and applications. Pages and API call these same functions.

Each state machine has one transition service (`program_transition`,
`application_transition`): lock the row → no-op if already there → check the table → save the
changed fields → activity log → notifications on commit. `application_transition_many` is the
same service for many applications at once (publishing a selection), and the single form is
written through it, so both follow one table in one way."""

import logging
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ikm_portal.core.exceptions import ApplicationError, Conflict, InvalidTransition, NotEligible
from ikm_portal.core.models import ActivityLog
from ikm_portal.core.services import activity_log, activity_log_entry
from ikm_portal.core.uploads import validate_upload
from ikm_portal.datarights.choices import AccessAction
from ikm_portal.datarights.services import Subject, access_log_record
from ikm_portal.notifications.services import notification_queue, notification_queue_many
from ikm_portal.privacy.choices import ConsentContext, Purpose
from ikm_portal.privacy.selectors import notice_current_version
from ikm_portal.privacy.services import consent_give, consent_withdraw_scope, scope_key_for
from partnerships.choices import AgreementStatus
from partnerships.models import Agreement, Partner
from partnerships.permissions import is_office
from registry.choices import EnterpriseStatus, RegionLevel, SizeClass
from registry.models import Enterprise, Region

from .choices import (
    APPLICATION_ACTIONS,
    APPLICATION_TRANSITIONS,
    BEFORE_DECISION,
    CHOICE_KINDS,
    LONG_TEXT_MAX,
    MAX_TRACK_CHOICES,
    PROGRAM_ACTIONS,
    PROGRAM_TRANSITIONS,
    SELECTION_NOTIFIED_STATUSES,
    SHORT_TEXT_MAX,
    SUBMITTED_STATUSES,
    AccessChannel,
    ApplicationStatus,
    ProgramMode,
    ProgramStatus,
    QuestionKind,
)
from .eligibility import all_ok
from .models import (
    Answer,
    Application,
    EligibilityRules,
    Program,
    Question,
    Stage,
    Track,
    TrackChoice,
)

logger = logging.getLogger(__name__)


class WindowClosed(ApplicationError):
    status_code = 409
    code = "window_closed"
    default_message = _("Applications for this programme are not open now.")


def _field_error(field: str, message) -> ApplicationError:
    return ApplicationError(message, field_errors={field: [message]})


# =============================================================================================
# Programmes
# =============================================================================================

PROGRAM_FIELDS = [
    "title",
    "description",
    "partner",
    "agreement",
    "partner_can_manage",
    "venue_name",
    "venue_address",
    "mode",
    "opens_at",
    "closes_at",
    "starts_on",
    "ends_on",
]
# What only the office decides, even on a programme a partner manager co-manages.
OFFICE_ONLY_FIELDS = {"partner", "agreement", "partner_can_manage"}


def _check_program_fields(values: dict, program: Program | None = None) -> None:
    errors: dict[str, list] = {}
    partner: Partner | None = values.get("partner")
    agreement: Agreement | None = values.get("agreement")
    if agreement is not None and (partner is None or agreement.partner_id != partner.pk):
        errors["agreement"] = [_("The agreement must be one of the partner's agreements.")]
    opens_at, closes_at = values.get("opens_at"), values.get("closes_at")
    if opens_at and closes_at and closes_at <= opens_at:
        errors["closes_at"] = [_("The closing time must be after the opening time.")]
    starts_on, ends_on = values.get("starts_on"), values.get("ends_on")
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = [_("The end date must not be before the start date.")]
    if values.get("mode") and values["mode"] not in ProgramMode.values:
        errors["mode"] = [_("Unknown mode.")]
    if not (values.get("title") or "").strip():
        errors["title"] = [_("This field is required.")]
    if (
        program is not None
        and program.pk
        and values.get("partner") != program.partner
        and program.applications.exclude(status=ApplicationStatus.DRAFT).exists()
    ):
        # Owners consented to share with this partner, not with another.
        errors["partner"] = [_("The partner cannot change once applications have been submitted.")]
    if errors:
        raise ApplicationError(next(iter(errors.values()))[0], field_errors=errors)


@transaction.atomic
def program_create(
    *,
    actor,
    title: str,
    tracks: list[dict] | None = None,
    stages: list[dict] | None = None,
    eligibility: dict | None = None,
    questions: list[dict] | None = None,
    **fields,
) -> Program:
    values = {k: v for k, v in fields.items() if k in PROGRAM_FIELDS}
    values["title"] = (title or "").strip()
    values.setdefault("mode", ProgramMode.TATAP_MUKA)
    _check_program_fields(values)
    program = Program.objects.create(
        **values, created_by=actor if getattr(actor, "is_authenticated", False) else None
    )
    _sync_eligibility(program, eligibility or {})
    if tracks is not None:
        _sync_tracks(program, tracks)
    if stages is not None:
        _sync_stages(program, stages)
    if questions is not None:
        _sync_questions(program, questions)
    activity_log(target=program, action="program.created", actor=actor, to_state=program.status)
    return program


@transaction.atomic
def program_update(
    *,
    program: Program,
    actor,
    data: dict | None = None,
    tracks: list[dict] | None = None,
    stages: list[dict] | None = None,
    eligibility: dict | None = None,
    questions: list[dict] | None = None,
) -> Program:
    program = (
        Program.objects.select_for_update(of=("self",)).select_related("partner").get(pk=program.pk)
    )
    if program.status in (ProgramStatus.COMPLETED, ProgramStatus.CANCELLED):
        raise InvalidTransition(_("A completed or cancelled programme can no longer be changed."))
    data = {k: v for k, v in (data or {}).items() if k in PROGRAM_FIELDS}
    if not is_office(actor):
        data = {k: v for k, v in data.items() if k not in OFFICE_ONLY_FIELDS}
    values = {f: getattr(program, f) for f in PROGRAM_FIELDS}
    values.update(data)
    if "title" in data:
        values["title"] = data["title"] = (data["title"] or "").strip()
    _check_program_fields(values, program)
    changed = [f for f, v in data.items() if getattr(program, f) != v]
    for f in changed:
        setattr(program, f, data[f])
    if changed:
        program.save(update_fields=[*changed, "updated_at"])
    if eligibility is not None and _sync_eligibility(program, eligibility):
        changed.append("eligibility")
    if tracks is not None:
        _sync_tracks(program, tracks)
        changed.append("tracks")
    if stages is not None:
        _sync_stages(program, stages)
        changed.append("stages")
    if questions is not None:
        _sync_questions(program, questions)
        changed.append("questions")
    if changed:
        activity_log(
            target=program, action="program.updated", actor=actor, data={"fields": changed}
        )
    return program


def _sync_tracks(program: Program, tracks: list[dict]) -> None:
    """Make the programme's tracks equal to the list (matched by id; new ones without id)."""
    existing = {t.pk: t for t in program.tracks.all()}
    names = [(t.get("name") or "").strip() for t in tracks]
    errors = []
    if any(not n for n in names):
        errors.append(gettext("Every track needs a name."))
    if len({n.lower() for n in names}) != len(names):
        errors.append(gettext("Two tracks have the same name."))
    for t in tracks:
        if t.get("id") is not None and t["id"] not in existing:
            errors.append(
                gettext("Track %(id)s is not a track of this programme.") % {"id": t["id"]}
            )
        seats = t.get("seats", 0)
        if seats is None or int(seats) < 0:
            errors.append(gettext("Seats must be zero or more."))
    kept = {t["id"] for t in tracks if t.get("id") is not None}
    for pk, track in existing.items():
        if pk not in kept and track.choices.exists():
            errors.append(
                gettext("Track %(name)s has applications and cannot be removed.")
                % {"name": track.name}
            )
    if errors:
        raise ApplicationError(errors[0], field_errors={"tracks": errors})
    Track.objects.filter(program=program).exclude(pk__in=kept).delete()
    # Names are unique per programme: move the kept ones out of the way before renaming.
    for pk in kept:
        Track.objects.filter(pk=pk).update(name=f"__renaming__{pk}")
    for position, t in enumerate(tracks):
        values = {
            "name": (t.get("name") or "").strip(),
            "description": t.get("description", "") or "",
            "seats": int(t.get("seats") or 0),
            "position": position,
        }
        if t.get("id") is not None:
            Track.objects.filter(pk=t["id"]).update(**values)
        else:
            Track.objects.create(program=program, **values)


def _sync_stages(program: Program, stages: list[dict]) -> None:
    """Stages are matched by order (1, 2, …); seats never grow from one stage to the next."""
    errors = []
    orders = [int(s.get("order") or i + 1) for i, s in enumerate(stages)]
    if sorted(orders) != list(range(1, len(stages) + 1)):
        errors.append(gettext("Stages are numbered 1, 2, 3 … without gaps."))
    rows = sorted(zip(orders, stages, strict=True), key=lambda pair: pair[0])
    previous = None
    for order, s in rows:
        if not (s.get("name") or "").strip():
            errors.append(gettext("Stage %(order)s needs a name.") % {"order": order})
        seats = s.get("seats")
        if seats is None or int(seats) < 1:
            errors.append(gettext("Stage %(order)s needs at least one seat.") % {"order": order})
        elif previous is not None and int(seats) > previous:
            errors.append(
                gettext("Stage %(order)s cannot have more seats than the stage before it.")
                % {"order": order}
            )
        else:
            previous = int(seats)
    if errors:
        raise ApplicationError(errors[0], field_errors={"stages": errors})
    Stage.objects.filter(program=program).exclude(order__in=orders).delete()
    for order, s in rows:
        Stage.objects.update_or_create(
            program=program,
            order=order,
            defaults={
                "name": s["name"].strip(),
                "description": s.get("description", "") or "",
                "seats": int(s["seats"]),
                "response_deadline": s.get("response_deadline"),
            },
        )


ELIGIBILITY_FIELDS = [
    "size_classes",
    "kecamatan_codes",
    "kbli_divisions",
    "min_years_operating",
    "require_nib",
    "exclude_running_participants",
]


def _sync_eligibility(program: Program, data: dict) -> bool:
    rules, _created = EligibilityRules.objects.get_or_create(program=program)
    data = {k: v for k, v in data.items() if k in ELIGIBILITY_FIELDS}
    errors: dict[str, list] = {}
    if "size_classes" in data:
        sizes = list(dict.fromkeys(data["size_classes"] or []))
        if any(s not in SizeClass.values for s in sizes):
            errors["size_classes"] = [_("Unknown size class.")]
        data["size_classes"] = sizes
    if "kecamatan_codes" in data:
        codes = list(dict.fromkeys(data["kecamatan_codes"] or []))
        known = set(
            Region.objects.filter(
                code__in=codes,
                level=RegionLevel.KECAMATAN,
                code__startswith=settings.REGION_CODE + ".",
            ).values_list("code", flat=True)
        )
        unknown = [c for c in codes if c not in known]
        if unknown:
            errors["kecamatan_codes"] = [
                _("Not a kecamatan of the office's region: %(codes)s.")
                % {"codes": ", ".join(unknown)}
            ]
        data["kecamatan_codes"] = codes
    if "kbli_divisions" in data:
        divisions = [str(d).strip() for d in (data["kbli_divisions"] or [])]
        divisions = list(dict.fromkeys(divisions))
        if any(not (d.isdigit() and len(d) == 2) for d in divisions):
            errors["kbli_divisions"] = [_("A KBLI division is two digits, e.g. 10.")]
        data["kbli_divisions"] = sorted(divisions)
    if data.get("min_years_operating") is not None and int(data["min_years_operating"]) < 0:
        errors["min_years_operating"] = [_("Enter zero or more years.")]
    if errors:
        raise ApplicationError(next(iter(errors.values()))[0], field_errors=errors)
    changed = [k for k, v in data.items() if getattr(rules, k) != v]
    for k in changed:
        setattr(rules, k, data[k])
    if changed:
        rules.save(update_fields=changed)
    return bool(changed)


def _clean_options(options) -> list[str]:
    cleaned = [str(o).strip() for o in (options or []) if str(o).strip()]
    return list(dict.fromkeys(cleaned))


def _sync_questions(program: Program, questions: list[dict]) -> None:
    existing = {q.pk: q for q in program.questions.all()}
    tracks = {t.pk: t for t in program.tracks.all()}
    by_name = {t.name.lower(): t for t in tracks.values()}
    errors = []
    rows = []
    for position, q in enumerate(questions):
        text = (q.get("text") or "").strip()
        kind = q.get("kind")
        options = _clean_options(q.get("options"))
        if not text:
            errors.append(gettext("Every question needs its text."))
        if kind not in QuestionKind.values:
            errors.append(gettext("Unknown question kind: %(kind)s.") % {"kind": kind})
        if kind in CHOICE_KINDS and len(options) < 2:
            errors.append(
                gettext("Question “%(text)s” needs at least two options.") % {"text": text}
            )
        track = q.get("track")
        track_obj = None
        if track not in (None, ""):
            track_obj = (
                tracks.get(track)
                if isinstance(track, int)
                else by_name.get(str(track).strip().lower())
            )
            if track_obj is None:
                errors.append(gettext("Question “%(text)s”: unknown track.") % {"text": text})
        if q.get("id") is not None and q["id"] not in existing:
            errors.append(
                gettext("Question %(id)s is not a question of this programme.") % {"id": q["id"]}
            )
        rows.append(
            (
                q.get("id"),
                {
                    "text": text,
                    "help_text": (q.get("help_text") or "").strip(),
                    "kind": kind,
                    "options": options if kind in CHOICE_KINDS else [],
                    "required": bool(q.get("required")),
                    "track": track_obj,
                    "position": position,
                },
            )
        )
    kept = {pk for pk, _values in rows if pk is not None}
    for pk, question in existing.items():
        if pk not in kept and question.answers.exists():
            errors.append(
                gettext("Question “%(text)s” has answers and cannot be removed.")
                % {"text": question.text}
            )
    if errors:
        raise ApplicationError(errors[0], field_errors={"questions": errors})
    Question.objects.filter(program=program).exclude(pk__in=kept).delete()
    for pk, values in rows:
        if pk is not None:
            Question.objects.filter(pk=pk).update(**values)
        else:
            Question.objects.create(program=program, **values)


def _check_can_open(program: Program) -> None:
    errors: dict[str, list] = {}
    if not program.tracks.exists():
        errors["tracks"] = [_("Add at least one track before opening.")]
    if not program.stages.exists():
        errors["stages"] = [_("Add at least one selection stage before opening.")]
    if not program.opens_at or not program.closes_at:
        errors["closes_at"] = [_("Set the application window before opening.")]
    elif program.closes_at <= timezone.now():
        errors["closes_at"] = [_("The closing time has passed; move it to the future first.")]
    if program.agreement_id and program.agreement.status != AgreementStatus.ACTIVE:
        errors["agreement"] = [_("The programme's agreement is not active.")]
    if errors:
        raise InvalidTransition(next(iter(errors.values()))[0], field_errors=errors)


@transaction.atomic
def program_transition(*, program: Program, to: str, actor=None, reason: str = "") -> Program:
    """The one way a programme changes status."""
    program = (
        Program.objects.select_for_update(of=("self",))
        .select_related("agreement")
        .get(pk=program.pk)
    )
    source = program.status
    if source == to:
        return program
    if to not in PROGRAM_TRANSITIONS.get(source, frozenset()):
        raise InvalidTransition(
            _("A programme cannot go from %(source)s to %(target)s.")
            % {
                "source": ProgramStatus(source).label,
                "target": ProgramStatus(to).label if to in ProgramStatus.values else to,
            }
        )
    if to == ProgramStatus.OPEN:
        _check_can_open(program)
    if to == ProgramStatus.CANCELLED and not reason.strip():
        raise _field_error("reason", _("Give a reason for cancelling the programme."))
    program.status = to
    program.status_changed_at = timezone.now()
    program.save(update_fields=["status", "status_changed_at", "updated_at"])
    activity_log(
        target=program,
        action=f"program.{PROGRAM_ACTIONS.get(to, to)}",
        actor=actor,
        from_state=source,
        to_state=to,
        reason=reason,
    )
    if to == ProgramStatus.CANCELLED:
        _queue_program_cancelled(program=program, reason=reason)
    return program


def programs_close_due(*, now: datetime | None = None) -> int:
    """Beat: open programmes whose window has closed move to reviewing."""
    now = now or timezone.now()
    count = 0
    for pk in Program.objects.filter(status=ProgramStatus.OPEN, closes_at__lte=now).values_list(
        "pk", flat=True
    ):
        program_transition(
            program=Program(pk=pk),
            to=ProgramStatus.REVIEWING,
            reason=gettext("The application window has closed."),
        )
        count += 1
    return count


# =============================================================================================
# Applications
# =============================================================================================


def _check_window(program: Program) -> None:
    if not program.window_is_open():
        if (
            program.status == ProgramStatus.OPEN
            and program.opens_at
            and program.opens_at > timezone.now()
        ):
            raise WindowClosed(_("Applications for this programme open later."))
        raise WindowClosed(_("Applications for this programme are closed."))


def _check_owner(actor, enterprise: Enterprise) -> None:
    if actor is None or enterprise.owner_id is None or enterprise.owner_id != actor.pk:
        raise _field_error("enterprise", _("Choose one of your own businesses."))


def _check_verified(enterprise: Enterprise) -> None:
    if enterprise.status != EnterpriseStatus.VERIFIED:
        raise NotEligible(
            _("Only a business verified by the office can apply."),
            field_errors={"enterprise": [_("Only a business verified by the office can apply.")]},
        )


def _clean_tracks(program: Program, track_ids) -> list[Track]:
    ids = list(track_ids or [])
    errors = []
    if len(ids) > MAX_TRACK_CHOICES:
        errors.append(gettext("Choose at most three tracks."))
    if len(set(ids)) != len(ids):
        errors.append(gettext("Choose each track only once."))
    tracks = {
        t.pk: t
        for t in Track.objects.filter(
            program=program, pk__in=[i for i in ids if isinstance(i, int)]
        )
    }
    unknown = [i for i in ids if i not in tracks]
    if unknown:
        errors.append(
            gettext("Not a track of this programme: %(ids)s.")
            % {"ids": ", ".join(str(i) for i in unknown)}
        )
    if errors:
        raise ApplicationError(errors[0], field_errors={"track_choices": errors})
    return [tracks[i] for i in ids]


def _clean_answer(question: Question, value):
    """A valid stored value for the question, or ValidationError with the reason."""
    kind = question.kind
    if value is None or value == "" or value == []:
        return None
    if kind == QuestionKind.SHORT_TEXT:
        text = str(value).strip()
        if len(text) > SHORT_TEXT_MAX:
            raise ValidationError(gettext("At most %(n)s characters.") % {"n": SHORT_TEXT_MAX})
        return text or None
    if kind == QuestionKind.LONG_TEXT:
        text = str(value).strip()
        if len(text) > LONG_TEXT_MAX:
            raise ValidationError(gettext("At most %(n)s characters.") % {"n": LONG_TEXT_MAX})
        return text or None
    if kind == QuestionKind.NUMBER:
        if isinstance(value, bool):
            raise ValidationError(gettext("Enter a number."))
        try:
            number = Decimal(str(value).strip().replace(",", "."))
        except InvalidOperation as exc:
            raise ValidationError(gettext("Enter a number.")) from exc
        if not number.is_finite():
            raise ValidationError(gettext("Enter a number."))
        return int(number) if number == number.to_integral_value() else float(number)
    if kind == QuestionKind.SINGLE_CHOICE:
        if str(value) not in question.options:
            raise ValidationError(gettext("Choose one of the options."))
        return str(value)
    if kind == QuestionKind.MULTIPLE_CHOICE:
        values = value if isinstance(value, list) else [value]
        values = [str(v) for v in values]
        if any(v not in question.options for v in values):
            raise ValidationError(gettext("Choose among the options."))
        return [o for o in question.options if o in values] or None
    if kind == QuestionKind.YES_NO:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "1", "yes", "ya"):
            return True
        if text in ("false", "0", "no", "tidak"):
            return False
        raise ValidationError(gettext("Answer yes or no."))
    if kind == QuestionKind.FILE:
        raise ValidationError(gettext("Upload the file separately."))
    raise ValidationError(gettext("Unknown question kind."))


def _save_answers(application: Application, answers: dict) -> None:
    questions = {q.pk: q for q in application.program.questions.all()}
    errors = []
    cleaned = {}
    for key, value in (answers or {}).items():
        try:
            qid = int(key)
        except (TypeError, ValueError):
            qid = None
        question = questions.get(qid)
        if question is None:
            errors.append(gettext("Not a question of this programme: %(id)s.") % {"id": key})
            continue
        if question.kind == QuestionKind.FILE:
            continue  # files come through application_upload_file
        try:
            cleaned[qid] = _clean_answer(question, value)
        except ValidationError as exc:
            errors.append(f"{question.text}: {exc.messages[0]}")
    if errors:
        raise ApplicationError(errors[0], field_errors={"answers": errors})
    for qid, value in cleaned.items():
        if value is None:
            Answer.objects.filter(application=application, question_id=qid, file="").delete()
            Answer.objects.filter(application=application, question_id=qid).update(value=None)
        else:
            Answer.objects.update_or_create(
                application=application, question_id=qid, defaults={"value": value}
            )


def _save_tracks(application: Application, tracks: list[Track]) -> None:
    TrackChoice.objects.filter(application=application).delete()
    TrackChoice.objects.bulk_create(
        [
            TrackChoice(application=application, track=track, preference=i + 1)
            for i, track in enumerate(tracks)
        ]
    )


def _set_consent(application: Application, consent: bool, actor) -> list[str]:
    """The application's flag stays the source of truth for what the partner sees; the owner's
    consent for "sharing with partner X for programme Y" is mirrored in the privacy app (My
    consents), where withdrawing comes back here (TrainingConfig.consent_changed)."""
    if consent == application.consent_share_with_partner:
        return []
    now = timezone.now()
    version = notice_current_version()
    application.consent_share_with_partner = consent
    if consent:
        application.consent_at = now
        application.consent_version = version
        application.consent_withdrawn_at = None
    else:
        application.consent_withdrawn_at = now
    activity_log(
        target=application,
        action="application.consent_given" if consent else "application.consent_withdrawn",
        actor=actor,
        data={"version": version},
    )
    fields = ["consent_share_with_partner", "consent_at", "consent_version", "consent_withdrawn_at"]
    # Saved before the mirror, so the privacy hook finds this application already done.
    application.save(update_fields=fields)
    application_consent_mirror(application=application, actor=actor)
    return fields


def program_consent_scope(program: Program) -> dict:
    """The scope of a sharing consent, as the privacy app stores it (generically)."""
    partner = program.partner.name if program.partner_id else ""
    return {
        "scope_key": scope_key_for(program),
        "scope_label": f"{partner} — {program.title}" if partner else program.title,
        "scope_url": reverse("training:program_detail", args=[program.pk]),
    }


def application_consent_mirror(*, application: Application, actor) -> None:
    """Record the application's sharing consent (given or withdrawn) as the owner's consent for
    this programme's partner. Programmes without a partner share with no one: nothing to do."""
    owner = application.enterprise.owner
    if owner is None or not application.program.partner_id:
        return
    scope = program_consent_scope(application.program)
    if application.consent_share_with_partner:
        consent_give(
            user=owner,
            purpose=Purpose.PARTNER_SHARING,
            context=ConsentContext.APPLICATION,
            actor=actor,
            propagate=False,
            **scope,
        )
    else:
        # Withdrawn for the programme: the hook withdraws it on the owner's other applications
        # to the same programme too (one consent per person and programme).
        consent_withdraw_scope(
            user=owner,
            purpose=Purpose.PARTNER_SHARING,
            scope_key=scope["scope_key"],
            actor=actor,
            context=ConsentContext.APPLICATION,
        )


@transaction.atomic
def applications_consent_withdrawn(*, user, program_id: int, actor) -> int:
    """The owner withdrew their consent to share with this programme's partner (My consents):
    every application of theirs to it stops sharing from now on. Returns how many changed."""
    now = timezone.now()
    changed = 0
    for application in Application.objects.select_for_update().filter(
        enterprise__owner=user, program_id=program_id, consent_share_with_partner=True
    ):
        application.consent_share_with_partner = False
        application.consent_withdrawn_at = now
        application.save(update_fields=["consent_share_with_partner", "consent_withdrawn_at"])
        activity_log(
            target=application,
            action="application.consent_withdrawn",
            actor=actor,
            data={"version": application.consent_version, "via": "privacy"},
        )
        changed += 1
    return changed


def _refresh_eligibility(application: Application) -> list[str]:
    from .selectors import eligibility_check

    results = eligibility_check(program=application.program, enterprise=application.enterprise)
    application.eligibility = [r.as_dict() for r in results]
    application.eligibility_ok = all_ok(results)
    application.eligibility_checked_at = timezone.now()
    return ["eligibility", "eligibility_ok", "eligibility_checked_at"]


@transaction.atomic
def application_create(
    *,
    actor,
    program: Program,
    enterprise: Enterprise,
    track_choices=None,
    answers: dict | None = None,
    consent_share_with_partner: bool = False,
) -> Application:
    """An owner starts an application (a draft) for one of their verified businesses."""
    _check_owner(actor, enterprise)
    _check_verified(enterprise)
    _check_window(program)
    if Application.objects.filter(program=program, enterprise=enterprise).exists():
        raise Conflict(
            _("This business has already applied to this programme."),
            field_errors={
                "enterprise": [_("This business has already applied to this programme.")]
            },
        )
    tracks = _clean_tracks(program, track_choices)
    try:
        with transaction.atomic():
            application = Application.objects.create(
                program=program, enterprise=enterprise, applicant=actor
            )
    except IntegrityError as exc:
        raise Conflict(_("This business has already applied to this programme.")) from exc
    _save_tracks(application, tracks)
    _save_answers(application, answers or {})
    fields = _set_consent(application, bool(consent_share_with_partner), actor)
    fields += _refresh_eligibility(application)
    application.save(update_fields=[*fields, "updated_at"])
    activity_log(
        target=application, action="application.created", actor=actor, to_state=application.status
    )
    return application


@transaction.atomic
def application_update(
    *,
    application: Application,
    actor,
    track_choices=None,
    answers: dict | None = None,
    consent_share_with_partner: bool | None = None,
) -> Application:
    """The owner changes their draft. After submission only the consent may change (withdrawn
    or given again), as UU 27/2022 allows."""
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("program", "enterprise")
        .get(pk=application.pk)
    )
    _check_owner(actor, application.enterprise)
    if application.status != ApplicationStatus.DRAFT and (
        track_choices is not None or answers is not None
    ):
        raise InvalidTransition(_("Only a draft application can be changed."))
    if application.status == ApplicationStatus.WITHDRAWN and consent_share_with_partner:
        raise InvalidTransition(_("This application has been withdrawn."))
    fields: list[str] = []
    if track_choices is not None or answers is not None:
        _check_window(application.program)
    if track_choices is not None:
        _save_tracks(application, _clean_tracks(application.program, track_choices))
    if answers is not None:
        _save_answers(application, answers)
    if consent_share_with_partner is not None:
        fields += _set_consent(application, bool(consent_share_with_partner), actor)
    if application.status == ApplicationStatus.DRAFT:
        fields += _refresh_eligibility(application)
    if fields:
        application.save(update_fields=[*fields, "updated_at"])
    return application


@transaction.atomic
def application_upload_file(
    *, application: Application, actor, question: Question, upload
) -> Answer:
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("program", "enterprise")
        .get(pk=application.pk)
    )
    _check_owner(actor, application.enterprise)
    if application.status != ApplicationStatus.DRAFT:
        raise InvalidTransition(_("Only a draft application can be changed."))
    _check_window(application.program)
    if question.program_id != application.program_id or question.kind != QuestionKind.FILE:
        raise _field_error("question", _("Not a file question of this programme."))
    try:
        validate_upload(upload, kind="answer")
    except ValidationError as exc:
        raise _field_error("file", exc.messages[0]) from exc
    answer, _created = Answer.objects.get_or_create(application=application, question=question)
    old = answer.file.name if answer.file else ""
    answer.file = upload
    answer.file_name = (getattr(upload, "name", "") or "")[-200:]
    answer.value = None
    answer.save()
    if old:
        storage = answer.file.storage
        transaction.on_commit(lambda: storage.delete(old))
    return answer


def _missing_required(application: Application, track_ids: set[int]) -> list[str]:
    from .selectors import questions_for

    answered = {}
    for a in application.answers.all():
        answered[a.question_id] = bool(a.file) or a.value not in (None, "", [])
    return [
        q.text
        for q in questions_for(program=application.program, track_ids=track_ids)
        if q.required and not answered.get(q.pk)
    ]


def application_check_submittable(application: Application) -> dict[str, list]:
    """What still stands in the way of submitting, by field (empty when ready)."""
    errors: dict[str, list] = {}
    track_ids = set(application.track_choices.values_list("track_id", flat=True))
    if not track_ids:
        errors["track_choices"] = [_("Choose at least one track.")]
    missing = _missing_required(application, track_ids)
    if missing:
        errors["answers"] = [
            _("This answer is required: %(question)s") % {"question": text} for text in missing
        ]
    if application.program.partner_id and not application.consent_share_with_partner:
        errors["consent_share_with_partner"] = [
            _(
                "This programme is run with %(partner)s: your consent to share your application "
                "and business data with them is required."
            )
            % {"partner": application.program.partner.name}
        ]
    return errors


@transaction.atomic
def application_submit(*, application: Application, actor) -> Application:
    """The owner submits. Two simultaneous submits make one submission: the row is locked,
    and a submit of an application already handed in changes nothing."""
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("program", "program__partner", "enterprise")
        .get(pk=application.pk)
    )
    _check_owner(actor, application.enterprise)
    if application.status in SUBMITTED_STATUSES:
        return application
    if application.status != ApplicationStatus.DRAFT:
        raise InvalidTransition(_("This application has been withdrawn."))
    _check_window(application.program)
    _check_verified(application.enterprise)
    errors = application_check_submittable(application)
    if errors:
        raise ApplicationError(next(iter(errors.values()))[0], field_errors=errors)
    fields = _refresh_eligibility(application)
    application.save(update_fields=[*fields, "updated_at"])
    application = application_transition(
        application=application, to=ApplicationStatus.SUBMITTED, actor=actor
    )
    transaction.on_commit(lambda: _enqueue_screening(application.pk))
    return application


def _enqueue_screening(application_id: int) -> None:
    from .tasks import screen_application

    try:
        screen_application.delay(application_id)
    except Exception:
        # The application stays "submitted"; the beat sweep screens it later.
        logger.exception("could not enqueue the screening of application %s", application_id)


@transaction.atomic
def application_screen_auto(*, application_id: int) -> Application | None:
    """The automatic screening of a submitted application (a task; running twice is harmless)."""
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("program", "enterprise")
        .filter(pk=application_id)
        .first()
    )
    if application is None or application.status != ApplicationStatus.SUBMITTED:
        return application
    fields = _refresh_eligibility(application)
    application.save(update_fields=[*fields, "updated_at"])
    return application_transition(
        application=application,
        to=ApplicationStatus.ELIGIBLE
        if application.eligibility_ok
        else ApplicationStatus.INELIGIBLE,
        reason=_screening_reason(application),
        data={"automatic": True},
    )


def _screening_reason(application: Application) -> str:
    failed = [r["reason"] for r in application.eligibility if not r["ok"]]
    if failed:
        return " ".join(failed)
    return gettext("All eligibility rules are met.")


def applications_screen_pending(*, limit: int = 500) -> int:
    """Beat sweep: screen submitted applications whose task was lost (e.g. a broker outage)."""
    ids = list(
        Application.objects.filter(status=ApplicationStatus.SUBMITTED)
        .order_by("submitted_at")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        application_screen_auto(application_id=pk)
    return len(ids)


@transaction.atomic
def application_screen(
    *, application: Application, actor, eligible: bool, reason: str
) -> Application:
    """The office decides eligibility by hand (overriding the rules), with a reason the owner
    reads."""
    if not is_office(actor):
        raise InvalidTransition(_("Only the office screens applications."))
    if not (reason or "").strip():
        raise _field_error("reason", _("Give a reason; the owner will read it."))
    application = Application.objects.select_for_update(of=("self",)).get(pk=application.pk)
    target = ApplicationStatus.ELIGIBLE if eligible else ApplicationStatus.INELIGIBLE
    if application.status == target:
        return application
    application.screening_overridden = application.eligibility_ok is not bool(eligible)
    application.screened_by = actor
    application.save(update_fields=["screening_overridden", "screened_by", "updated_at"])
    return application_transition(
        application=application,
        to=target,
        actor=actor,
        reason=reason.strip(),
        data={"automatic": False, "override": application.screening_overridden},
    )


def application_start_review(*, application: Application, actor) -> Application:
    if not is_office(actor):
        raise InvalidTransition(_("Only the office starts the review."))
    return application_transition(
        application=application, to=ApplicationStatus.IN_REVIEW, actor=actor
    )


@transaction.atomic
def application_withdraw(*, application: Application, actor, reason: str = "") -> Application:
    """The owner (or the office for them) withdraws before any published decision."""
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("enterprise")
        .get(pk=application.pk)
    )
    if not is_office(actor):
        _check_owner(actor, application.enterprise)
    if application.status == ApplicationStatus.WITHDRAWN:
        return application
    if application.status not in BEFORE_DECISION:
        raise InvalidTransition(
            _("A decision has been published; the application can no longer be withdrawn.")
        )
    return application_transition(
        application=application, to=ApplicationStatus.WITHDRAWN, actor=actor, reason=reason
    )


BULK_ACTIONS = ("auto", "eligible", "ineligible", "review")


def applications_bulk_screen(
    *, actor, applications: Iterable[Application], action: str, reason: str = ""
) -> dict[str, int]:
    """Screen many applications at once. Each one changes in its own transaction; those a
    change does not apply to are counted as skipped."""
    if not is_office(actor):
        raise InvalidTransition(_("Only the office screens applications."))
    if action not in BULK_ACTIONS:
        raise _field_error("action", _("Unknown action."))
    if action in ("eligible", "ineligible") and not (reason or "").strip():
        raise _field_error("reason", _("Give a reason; the owners will read it."))
    done = skipped = 0
    for application in applications:
        try:
            if action == "auto":
                changed = _rescreen(application=application, actor=actor)
            elif action == "review":
                before = application.status
                changed = (
                    application_start_review(application=application, actor=actor).status != before
                )
            else:
                before = application.status
                changed = (
                    application_screen(
                        application=application,
                        actor=actor,
                        eligible=action == "eligible",
                        reason=reason,
                    ).status
                    != before
                )
        except ApplicationError:
            changed = False
        done += int(changed)
        skipped += int(not changed)
    return {"changed": done, "skipped": skipped}


@transaction.atomic
def _rescreen(*, application: Application, actor) -> bool:
    """Check the rules again: a submitted application is screened; an eligible or ineligible one
    not decided by hand follows the rules as they are now."""
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("program", "enterprise")
        .get(pk=application.pk)
    )
    if application.status == ApplicationStatus.SUBMITTED:
        return (
            application_screen_auto(application_id=application.pk).status
            != ApplicationStatus.SUBMITTED
        )
    if application.status not in (ApplicationStatus.ELIGIBLE, ApplicationStatus.INELIGIBLE):
        return False
    if application.screening_overridden:
        return False
    fields = _refresh_eligibility(application)
    application.save(update_fields=[*fields, "updated_at"])
    target = (
        ApplicationStatus.ELIGIBLE if application.eligibility_ok else ApplicationStatus.INELIGIBLE
    )
    if target == application.status:
        return False
    application_transition(
        application=application,
        to=target,
        actor=actor,
        reason=_screening_reason(application),
        data={"automatic": True, "rescreen": True},
    )
    return True


@transaction.atomic
def application_transition(
    *,
    application: Application,
    to: str,
    actor=None,
    reason: str = "",
    data: dict | None = None,
) -> Application:
    """The one way an application changes status: lock → no-op → table → save → log →
    notify the owner on commit."""
    changed = application_transition_many(
        changes=[ApplicationChange(application, to, reason, data)], actor=actor
    )
    return changed[application.pk]


class ApplicationChange(NamedTuple):
    """One change of ``application_transition_many``: the application, its target status, the
    reason (the owner reads it) and the activity log's data."""

    application: Application
    to: str
    reason: str = ""
    data: dict | None = None


@transaction.atomic
def application_transition_many(
    *, changes: Iterable[ApplicationChange], actor=None
) -> dict[int, Application]:
    """``application_transition`` for many applications in a constant number of queries, with
    the same outcome row by row: one lock of all the rows (in id order), the table checked for
    every change before anything is written (an ``InvalidTransition`` writes nothing), one
    UPDATE per target status, one insert of the activity log and the owners' notifications
    through the outbox in one go (delivered on commit).

    An application may appear more than once: its changes apply in order (eligible → in review
    → selected), each with its log entry and notification, as successive calls would. A change
    to the status the application already has is a no-op. Returns the locked, updated
    applications by id."""
    changes = list(changes)
    if not changes:
        return {}
    ids = sorted({change.application.pk for change in changes})
    locked = {
        a.pk: a
        for a in Application.objects.select_for_update(of=("self",))
        .select_related("program", "enterprise", "enterprise__owner")
        .filter(pk__in=ids)
        .order_by("pk")
    }
    missing = set(ids) - set(locked)
    if missing:
        raise Application.DoesNotExist(f"Application matching query does not exist: {missing}")
    now = timezone.now()
    logs: list[ActivityLog] = []
    messages: list[dict] = []
    touched: dict[int, set[str]] = {}  # application id → the date fields its changes set
    for change in changes:
        application = locked[change.application.pk]
        source, to = application.status, change.to
        if source == to:
            continue
        if to not in APPLICATION_TRANSITIONS.get(source, frozenset()):
            raise InvalidTransition(
                _("An application cannot go from %(source)s to %(target)s.")
                % {
                    "source": ApplicationStatus(source).label,
                    "target": ApplicationStatus(to).label if to in ApplicationStatus.values else to,
                }
            )
        application.status = to
        application.status_changed_at = now
        application.status_reason = change.reason or ""
        application.updated_at = now
        dates = touched.setdefault(application.pk, set())
        if to == ApplicationStatus.SUBMITTED:
            application.submitted_at = now
            dates.add("submitted_at")
        elif to == ApplicationStatus.WITHDRAWN:
            application.withdrawn_at = now
            dates.add("withdrawn_at")
        logs.append(
            activity_log_entry(
                target=application,
                action=f"application.{APPLICATION_ACTIONS.get(to, to)}",
                actor=actor,
                from_state=source,
                to_state=to,
                reason=change.reason,
                data=change.data,
            )
        )
        message = _owner_notification(application=application, to=to, reason=change.reason)
        if message is not None:
            messages.append(message)
    # One UPDATE per final status (and set of date fields); the reasons differ from row to row
    # (a waitlist position, the owner's language), so they go as one CASE.
    groups: dict[tuple[str, frozenset[str]], list[Application]] = {}
    for pk, dates in touched.items():
        application = locked[pk]
        groups.setdefault((application.status, frozenset(dates)), []).append(application)
    for (status, dates), rows in groups.items():
        values = {
            "status": status,
            "status_changed_at": now,
            "updated_at": now,
            "status_reason": _per_row(rows, "status_reason"),
            **dict.fromkeys(dates, now),
        }
        Application.objects.filter(pk__in=[a.pk for a in rows]).update(**values)
    if logs:
        ActivityLog.objects.bulk_create(logs)
    if messages:
        notification_queue_many(messages=messages)
    return locked


def _per_row(rows: list, name: str):
    """The value of the field ``name`` for an UPDATE of ``rows``: the value itself when they
    share it, else a CASE on the primary key (rows sharing a value share one WHEN)."""
    by_value: dict = {}
    for row in rows:
        by_value.setdefault(getattr(row, name), []).append(row.pk)
    if len(by_value) == 1:
        return next(iter(by_value))
    return Case(*[When(pk__in=pks, then=Value(value)) for value, pks in by_value.items()])


# =============================================================================================
# Notifications
# =============================================================================================


def _owner_notification(*, application: Application, to: str, reason: str) -> dict | None:
    """The owner's message about a change of status (the arguments of ``notification_queue``),
    or None: no owner, or the selection tells them itself."""
    owner = application.enterprise.owner
    if owner is None or to in SELECTION_NOTIFIED_STATUSES:
        return None
    return {
        "recipient": owner,
        "template": f"application_{to}",
        "context": {
            "program_title": application.program.title,
            "business_name": application.enterprise.name,
            "status": to,
            "reason": reason,
            "url": reverse("training:application_detail", args=[application.pk]),
        },
        "channels": ["email", "in_app"],
        "related": application,
        "key": f"application:{application.pk}:{to}:{application.status_changed_at.isoformat()}",
    }


def _queue_program_cancelled(*, program: Program, reason: str) -> None:
    """Every applicant with an application still alive hears that the programme is cancelled."""

    rows = (
        program.applications.exclude(status=ApplicationStatus.WITHDRAWN)
        .exclude(enterprise__owner__isnull=True)
        .select_related("enterprise__owner")
    )
    for application in rows:
        notification_queue(
            recipient=application.enterprise.owner,
            template="program_cancelled",
            context={
                "program_title": program.title,
                "business_name": application.enterprise.name,
                "reason": reason,
                "url": reverse("training:application_detail", args=[application.pk]),
            },
            channels=["email", "in_app"],
            related=application,
            key=f"program-cancelled:{program.pk}:{application.pk}",
        )


# =============================================================================================
# Personal data access log
# =============================================================================================


def data_access_record(
    *, user, applications: Iterable[Application], channel: str, path: str = ""
) -> int:
    """Log that a partner user saw these applicants' personal data (one row each) in the
    portal's one personal-data access log (ikm_portal/datarights)."""
    from partnerships.permissions import membership_of

    from .permissions import is_partner_viewer

    if channel not in AccessChannel.values:
        raise ValueError(channel)
    membership = membership_of(user)
    partner = membership.partner if membership else None
    subjects = [
        Subject.of(
            record=a.enterprise,
            user_id=a.enterprise.owner_id or a.applicant_id,
            name=a.enterprise.owner_name or a.enterprise.name,
            target=a,
            details={"program": a.program_id, "partner": partner.pk if partner else None},
        )
        for a in applications
        if is_partner_viewer(user, a)
    ]
    if not subjects:
        return 0
    access_log_record(
        action=AccessAction.PARTNER_VIEW,
        actor=user,
        subjects=subjects,
        channel=channel,
        organisation=partner.name if partner else "",
        path=path,
    )
    return len(subjects)


def data_export_record(*, user, application_ids, fmt: str, path: str = "") -> int:
    """An office export of applicants' or participants' personal data: one access-log row per
    applicant (partner users' exports are partner views, data_access_record)."""
    applications = Application.objects.filter(pk__in=set(application_ids)).select_related(
        "enterprise"
    )
    subjects = [
        Subject.of(
            record=a.enterprise,
            user_id=a.enterprise.owner_id or a.applicant_id,
            name=a.enterprise.owner_name or a.enterprise.name,
            target=a,
            details={"program": a.program_id},
        )
        for a in applications.order_by("pk")
    ]
    access_log_record(
        action=AccessAction.EXPORT,
        actor=user,
        subjects=subjects,
        channel=AccessChannel.EXPORT,
        path=path,
        details={"format": fmt},
    )
    return len(subjects)
