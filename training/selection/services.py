"""Writes of review and selection. Pages and API call these same functions.

Two state machines, each with one transition service: ``review_transition`` (a reviewer's
assignment: assigned → draft → submitted, conflict, abstained) and ``decision_transition`` (a
published decision and its offer: selected → accepted | declined | lapsed, waitlisted → selected
| not_selected). An application's own status changes only through issue 5's
``application_transition``: at the first stage it mirrors the decision.

Lock order, everywhere: the stage row, then decisions, then applications. Seats are counted
under the stage's lock, so two accepts never take the same last seat."""

from __future__ import annotations

import logging
import random
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ikm_portal.core.exceptions import ApplicationError, CapacityFull, Conflict, InvalidTransition
from ikm_portal.core.models import ActivityLog
from ikm_portal.core.services import activity_log
from ikm_portal.core.templatetags.portal import waktu
from ikm_portal.core.validators import normalize_phone
from ikm_portal.notifications.services import notification_queue_many
from registry.choices import Gender, RegionLevel
from registry.models import Region

from ..choices import ApplicationStatus
from ..models import Application, Program, Stage, Track, TrackChoice
from ..services import (
    ApplicationChange,
    activity_log_entry,
    application_transition,
    application_transition_many,
)
from . import ranking, scoring
from .assignment import balance
from .choices import (
    ACTIVE_REVIEW_STATUSES,
    APPLICATION_STATUS_OF,
    DECISION_TRANSITIONS,
    DEFAULT_CRITERIA,
    FIRST_STAGE_POOL,
    OUTSTANDING_REVIEW_STATUSES,
    PUBLISHED_DECISIONS,
    REVIEW_TRANSITIONS,
    SEAT_HOLDING,
    AssignmentMethod,
    CriterionSource,
    Decision,
    Reason,
    ReviewStatus,
    RunStatus,
    TieBreaker,
)
from .models import (
    Criterion,
    Review,
    ReviewerConflict,
    SelectionAdjustment,
    SelectionRun,
    StageDecision,
    StageSettings,
)
from .permissions import can_assign, can_configure_stage, can_preview, can_publish, is_reviewer_for

logger = logging.getLogger(__name__)


class ReviewClosed(ApplicationError):
    status_code = 409
    code = "review_closed"
    default_message = _("The review of this stage is closed.")


class AlreadyPublished(ApplicationError):
    status_code = 409
    code = "already_published"
    default_message = _("The decisions of this stage have been published.")


class StalePreview(ApplicationError):
    status_code = 409
    code = "stale_preview"
    default_message = _(
        "Reviews or applications changed after the preview was computed. Compute the preview "
        "again, check it, then publish."
    )


def _field_error(field: str, message) -> ApplicationError:
    return ApplicationError(message, field_errors={field: [message]})


def _notify(**kwargs) -> None:
    from ikm_portal.notifications.services import notification_queue

    notification_queue(**kwargs)


def _is_user(actor) -> bool:
    return bool(actor is not None and getattr(actor, "is_authenticated", False))


# =============================================================================================
# Stage settings and rubric
# =============================================================================================


def stage_settings_get(stage: Stage) -> StageSettings:
    """The stage's settings, created with the defaults on first use (the first stage counts
    seats per track; later stages do not, their participants keep their track)."""
    try:
        return stage.selection_settings
    except StageSettings.DoesNotExist:
        pass
    obj, _created = StageSettings.objects.get_or_create(
        stage=stage, defaults={"use_track_seats": stage.order == 1}
    )
    stage.selection_settings = obj
    return obj


SETTINGS_FIELDS = [
    "review_opens_at",
    "review_closes_at",
    "blind_review",
    "others_scores",
    "reviewers_per_application",
    "spread_threshold",
    "reminder_days",
    "waitlist_length",
    "tie_breakers",
    "use_track_seats",
    "track_seats",
    "kecamatan_min",
    "kecamatan_max",
    "women_min_percent",
    "offer_days",
]


def _clean_kecamatan_map(value, field: str, errors: dict) -> dict[str, int]:
    if value in (None, ""):
        return {}
    if not isinstance(value, dict):
        errors[field] = [_("Give kecamatan codes with a number each.")]
        return {}
    cleaned: dict[str, int] = {}
    for code, n in value.items():
        try:
            number = int(n)
        except (TypeError, ValueError):
            number = -1
        if number < 0:
            errors[field] = [_("Each kecamatan needs a number of zero or more.")]
            return {}
        cleaned[str(code).strip()] = number
    known = set(
        Region.objects.filter(
            code__in=list(cleaned),
            level=RegionLevel.KECAMATAN,
            code__startswith=settings.REGION_CODE + ".",
        ).values_list("code", flat=True)
    )
    unknown = sorted(set(cleaned) - known)
    if unknown:
        errors[field] = [
            _("Not a kecamatan of the office's region: %(codes)s.") % {"codes": ", ".join(unknown)}
        ]
    return dict(sorted(cleaned.items()))


def _clean_settings(stage: Stage, data: dict) -> dict:
    errors: dict[str, list] = {}
    values = dict(data)
    if "tie_breakers" in values:
        breakers = list(dict.fromkeys(values["tie_breakers"] or []))
        if any(b not in TieBreaker.values for b in breakers):
            errors["tie_breakers"] = [_("Unknown tie-breaker.")]
        values["tie_breakers"] = breakers
    if "track_seats" in values:
        raw = values["track_seats"] or {}
        tracks = set(stage.program.tracks.values_list("pk", flat=True))
        cleaned = {}
        if not isinstance(raw, dict):
            errors["track_seats"] = [_("Give track ids with a number of seats each.")]
        else:
            for key, n in raw.items():
                try:
                    track_id, number = int(key), int(n)
                except (TypeError, ValueError):
                    errors["track_seats"] = [_("Give track ids with a number of seats each.")]
                    break
                if track_id not in tracks:
                    errors["track_seats"] = [
                        _("Not a track of this programme: %(id)s.") % {"id": key}
                    ]
                    break
                if number < 0:
                    errors["track_seats"] = [_("Seats must be zero or more.")]
                    break
                cleaned[str(track_id)] = number
        values["track_seats"] = dict(sorted(cleaned.items(), key=lambda kv: int(kv[0])))
    for field in ("kecamatan_min", "kecamatan_max"):
        if field in values:
            values[field] = _clean_kecamatan_map(values[field], field, errors)
    opens, closes = values.get("review_opens_at"), values.get("review_closes_at")
    if opens and closes and closes <= opens:
        errors["review_closes_at"] = [_("The review deadline must be after the opening.")]
    for field, low, high in (
        ("reviewers_per_application", 1, 10),
        ("spread_threshold", 0, 100),
        ("reminder_days", 0, 30),
        ("women_min_percent", 0, 100),
        ("offer_days", 1, 60),
    ):
        if field in values and values[field] is not None:
            try:
                number = int(values[field])
            except (TypeError, ValueError):
                number = None
            if number is None or not low <= number <= high:
                errors[field] = [
                    _("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": high}
                ]
            else:
                values[field] = number
    if "waitlist_length" in values:
        try:
            values["waitlist_length"] = int(values["waitlist_length"])
        except (TypeError, ValueError):
            values["waitlist_length"] = -1
        if values["waitlist_length"] < 0:
            errors["waitlist_length"] = [_("Enter zero or more.")]
    if errors:
        raise ApplicationError(next(iter(errors.values()))[0], field_errors=errors)
    return values


@transaction.atomic
def stage_settings_update(*, stage: Stage, actor, data: dict) -> StageSettings:
    if not can_configure_stage(actor, stage.program):
        raise InvalidTransition(_("You may not change this stage's settings."))
    config = stage_settings_get(stage)
    config = StageSettings.objects.select_for_update().get(pk=config.pk)
    data = {k: v for k, v in data.items() if k in SETTINGS_FIELDS}
    values = _clean_settings(stage, data)
    changed = [k for k, v in values.items() if getattr(config, k) != v]
    for k in changed:
        setattr(config, k, values[k])
    if changed:
        config.save(update_fields=changed)
        activity_log(
            target=stage, action="selection.settings_updated", actor=actor, data={"fields": changed}
        )
    stage.selection_settings = config
    return config


def rubric_ensure_default(*, stage: Stage) -> list[Criterion]:
    """A stage without criteria gets the default rubric of a product-efficiency programme."""
    existing = list(stage.criteria.all())
    if existing:
        return existing
    rows = [
        Criterion(
            stage=stage,
            key=key,
            label_id=label_id,
            label_en=label_en,
            description=description,
            scale_min=scale[0],
            scale_max=scale[1],
            weight=Decimal(weight),
            counted=counted,
            position=position,
        )
        for position, (key, label_id, label_en, description, scale, weight, counted) in enumerate(
            DEFAULT_CRITERIA
        )
    ]
    Criterion.objects.bulk_create(rows)
    return list(stage.criteria.all())


def rules_of(criteria: Iterable[Criterion]) -> list[scoring.Rule]:
    """The rules of a review's total: the criteria the reviewers score."""
    return [
        scoring.Rule(
            key=c.key,
            scale_min=c.scale_min,
            scale_max=c.scale_max,
            weight=Decimal(c.weight),
            counted=c.counted,
        )
        for c in criteria
        if not c.automatic
    ]


@transaction.atomic
def rubric_update(*, stage: Stage, actor, criteria: list[dict]) -> list[Criterion]:
    """Make the stage's criteria equal to the list (matched by key). Once a review has been
    submitted, keys and scales stay as they are (scores were given on them); labels, weights
    and whether a criterion counts may still change, and every total is computed again."""
    from .choices import CRITERION_KEY_PATTERN

    if not can_configure_stage(actor, stage.program):
        raise InvalidTransition(_("You may not change this stage's rubric."))
    Stage.objects.select_for_update().get(pk=stage.pk)
    errors: list[str] = []
    keys = [str(c.get("key") or "").strip() for c in criteria]
    if not criteria:
        errors.append(gettext("A rubric needs at least one criterion."))
    if len(set(keys)) != len(keys):
        errors.append(gettext("Two criteria have the same key."))
    rows = []
    for position, (key, c) in enumerate(zip(keys, criteria, strict=True)):
        if not re.match(CRITERION_KEY_PATTERN, key):
            errors.append(
                gettext("Criterion key “%(key)s”: lower case letters, digits and _.") % {"key": key}
            )
        label_id = str(c.get("label_id") or "").strip()
        if not label_id:
            errors.append(gettext("Every criterion needs a label."))
        try:
            scale_min, scale_max = int(c.get("scale_min", 1)), int(c.get("scale_max", 5))
            weight = Decimal(str(c.get("weight", 1)))
        except (TypeError, ValueError, ArithmeticError):
            errors.append(gettext("Scales are whole numbers and weights are numbers."))
            continue
        if scale_max <= scale_min:
            errors.append(
                gettext("Criterion “%(key)s”: the highest score must be above the lowest.")
                % {"key": key}
            )
        counted = bool(c.get("counted", True))
        source = c.get("source") or CriterionSource.REVIEWERS
        if source not in CriterionSource.values:
            errors.append(gettext("Unknown source of a criterion's score."))
            source = CriterionSource.REVIEWERS
        if source != CriterionSource.REVIEWERS:
            if stage.order == 1:
                errors.append(
                    gettext("Criterion “%(key)s”: attendance exists only from the second stage on.")
                    % {"key": key}
                )
            counted = True
        if counted and weight <= 0:
            errors.append(
                gettext("Criterion “%(key)s”: a counted criterion needs a weight above zero.")
                % {"key": key}
            )
        if weight < 0 or weight >= 1000:
            errors.append(gettext("A weight is between 0 and 999."))
        rows.append(
            {
                "key": key,
                "label_id": label_id[:150],
                "label_en": str(c.get("label_en") or "").strip()[:150],
                "description": str(c.get("description") or "").strip(),
                "scale_min": scale_min,
                "scale_max": scale_max,
                "weight": weight,
                "counted": counted,
                "source": source,
                "position": position,
            }
        )
    if not any(r["counted"] and r["source"] == CriterionSource.REVIEWERS for r in rows):
        errors.append(gettext("At least one criterion must count."))
    existing = {c.key: c for c in stage.criteria.all() if not c.automatic}
    locked = stage.reviews.filter(status=ReviewStatus.SUBMITTED).exists()
    if locked:
        # What the reviewers scored stays as it was; automatic criteria may come and go.
        scored = [r for r in rows if r["source"] == CriterionSource.REVIEWERS]
        for r in scored:
            old = existing.get(r["key"])
            if old is None or (old.scale_min, old.scale_max) != (r["scale_min"], r["scale_max"]):
                errors.append(
                    gettext(
                        "Reviews have been submitted: criteria cannot be added, removed or "
                        "rescaled any more, only relabelled or reweighted."
                    )
                )
                break
        if set(existing) != {r["key"] for r in scored}:
            errors.append(
                gettext(
                    "Reviews have been submitted: criteria cannot be added, removed or "
                    "rescaled any more, only relabelled or reweighted."
                )
            )
    if errors:
        unique = list(dict.fromkeys(errors))
        raise ApplicationError(unique[0], field_errors={"criteria": unique})
    stage.criteria.exclude(key__in=[r["key"] for r in rows]).delete()
    for r in rows:
        Criterion.objects.update_or_create(stage=stage, key=r["key"], defaults=r)
    current = list(stage.criteria.all())
    if locked:
        _recompute_totals(stage, current)
    activity_log(
        target=stage,
        action="selection.rubric_updated",
        actor=actor,
        data={"criteria": [r["key"] for r in rows]},
    )
    return current


def _recompute_totals(stage: Stage, criteria: list[Criterion]) -> None:
    rules = rules_of(criteria)
    for review in stage.reviews.filter(status=ReviewStatus.SUBMITTED):
        total = scoring.weighted_total(rules, review.scores)
        if total != review.total:
            review.total = total
            review.save(update_fields=["total", "updated_at"])


# =============================================================================================
# Who applies at a stage, and who may review whom
# =============================================================================================


def previous_stage(stage: Stage) -> Stage | None:
    if stage.order <= 1:
        return None
    return Stage.objects.filter(program_id=stage.program_id, order=stage.order - 1).first()


def stage_pool(stage: Stage):
    """The applications competing at a stage: at the first, the eligible ones (and those in
    review); later, the previous stage's accepted participants."""
    base = Application.objects.filter(program_id=stage.program_id)
    prev = previous_stage(stage)
    if prev is None:
        return base.filter(status__in=sorted(FIRST_STAGE_POOL))
    return base.filter(
        status=ApplicationStatus.ACCEPTED,
        stage_decisions__stage=prev,
        stage_decisions__status=Decision.ACCEPTED,
    )


def _norm_phone(value: str) -> str:
    if not value:
        return ""
    try:
        return normalize_phone(value)
    except Exception:
        return value.strip()


def links_between(reviewer, application: Application) -> list[str]:
    """Why a reviewer may never review this application: they are the owner, or share the
    owner's (or the business's) e-mail address or phone number."""
    enterprise = application.enterprise
    owner = enterprise.owner
    reasons = []
    if owner is not None and owner.pk == reviewer.pk:
        reasons.append("owner")
    emails = {e.strip().lower() for e in (enterprise.email, owner.email if owner else "") if e}
    if reviewer.email and reviewer.email.strip().lower() in emails:
        reasons.append("email")
    phones = {_norm_phone(p) for p in (enterprise.phone, owner.phone if owner else "") if p}
    if reviewer.phone and _norm_phone(reviewer.phone) in phones:
        reasons.append("phone")
    return reasons


def _blocked_pairs(stage: Stage, applications: list[Application], reviewers: list) -> set:
    """Pairs that must never meet: a declared conflict, a link between reviewer and applicant,
    or a partner member and an applicant who has not consented to share with the partner."""
    from partnerships.permissions import is_office

    partner_side = {r.pk for r in reviewers if not is_office(r)}
    declared = set(
        ReviewerConflict.objects.filter(
            program_id=stage.program_id, reviewer__in=reviewers
        ).values_list("enterprise_id", "reviewer_id")
    )
    blocked = set()
    for application in applications:
        for reviewer in reviewers:
            declared_here = (application.enterprise_id, reviewer.pk) in declared
            no_consent = not application.consent_share_with_partner and reviewer.pk in partner_side
            if declared_here or no_consent or links_between(reviewer, application):
                blocked.add((application.pk, reviewer.pk))
    return blocked


def _check_pair(stage: Stage, application: Application, reviewer) -> None:
    program = stage.program
    if not is_reviewer_for(reviewer, program):
        raise _field_error(
            "reviewer", _("Only office staff and the partner's members review this programme.")
        )
    reasons = links_between(reviewer, application)
    if reasons:
        raise Conflict(
            _(
                "This reviewer is linked to the applicant (the same person, e-mail address or "
                "phone number) and may not review them."
            ),
            field_errors={
                "reviewer": [
                    _(
                        "This reviewer is linked to the applicant (the same person, e-mail "
                        "address or phone number) and may not review them."
                    )
                ]
            },
        )
    if ReviewerConflict.objects.filter(
        program=program, reviewer=reviewer, enterprise_id=application.enterprise_id
    ).exists():
        raise Conflict(
            _("This reviewer has declared a conflict of interest with this applicant."),
            field_errors={
                "reviewer": [
                    _("This reviewer has declared a conflict of interest with this applicant.")
                ]
            },
        )
    from partnerships.permissions import is_office

    if not is_office(reviewer) and not application.consent_share_with_partner:
        raise _field_error(
            "application",
            _("The owner has not consented to share this application with the partner."),
        )


def _check_not_published(stage: Stage) -> None:
    if stage.selection_runs.filter(status=RunStatus.PUBLISHED).exists():
        raise AlreadyPublished()


# =============================================================================================
# Assignments
# =============================================================================================


def _start_review(application: Application, stage: Stage, actor) -> None:
    """At the first stage an eligible application goes into review with its first reviewer."""
    if stage.order == 1 and application.status == ApplicationStatus.ELIGIBLE:
        application_transition(application=application, to=ApplicationStatus.IN_REVIEW, actor=actor)


def _pool_member(stage: Stage, application: Application) -> Application:
    found = (
        stage_pool(stage)
        .select_related("enterprise", "enterprise__owner")
        .filter(pk=application.pk)
        .first()
    )
    if found is None:
        raise _field_error("application", _("This application does not compete at this stage."))
    return found


@transaction.atomic
def assignment_create(
    *,
    stage: Stage,
    application: Application,
    reviewer,
    actor,
    method: str = AssignmentMethod.MANUAL,
) -> Review:
    """Assign one reviewer to one application of the stage (by hand)."""
    if not can_assign(actor, stage.program):
        raise InvalidTransition(_("You may not assign reviewers in this programme."))
    Stage.objects.select_for_update().get(pk=stage.pk)
    _check_not_published(stage)
    application = _pool_member(stage, application)
    existing = Review.objects.filter(
        stage=stage, application=application, reviewer=reviewer
    ).first()
    if existing is not None:
        if existing.status in ACTIVE_REVIEW_STATUSES:
            return existing
        raise Conflict(
            _("This reviewer has already withdrawn from this application (conflict or abstention).")
        )
    _check_pair(stage, application, reviewer)
    review = Review.objects.create(
        stage=stage,
        application=application,
        reviewer=reviewer,
        method=method,
        assigned_by=actor if _is_user(actor) else None,
    )
    activity_log(
        target=review,
        action="review.assigned",
        actor=actor,
        to_state=review.status,
        data={"method": method, "reviewer": reviewer.pk, "application": application.pk},
    )
    _start_review(application, stage, actor)
    _notify_assigned(stage, {reviewer.pk: [review]})
    return review


@transaction.atomic
def assignments_bulk(*, stage: Stage, applications, reviewers, actor) -> dict:
    """Each ticked reviewer reviews each ticked application; pairs that may not meet (a
    conflict or a link) are skipped and counted."""
    if not can_assign(actor, stage.program):
        raise InvalidTransition(_("You may not assign reviewers in this programme."))
    if not applications or not reviewers:
        raise _field_error("reviewers", _("Choose at least one application and one reviewer."))
    Stage.objects.select_for_update().get(pk=stage.pk)
    _check_not_published(stage)
    created: dict[int, list[Review]] = defaultdict(list)
    skipped = 0
    for application in applications:
        application = _pool_member(stage, application)
        made = 0
        for reviewer in reviewers:
            if Review.objects.filter(
                stage=stage, application=application, reviewer=reviewer
            ).exists():
                skipped += 1
                continue
            try:
                _check_pair(stage, application, reviewer)
            except ApplicationError:
                skipped += 1
                continue
            review = Review.objects.create(
                stage=stage,
                application=application,
                reviewer=reviewer,
                method=AssignmentMethod.BULK,
                assigned_by=actor if _is_user(actor) else None,
            )
            created[reviewer.pk].append(review)
            made += 1
        if made:
            _start_review(application, stage, actor)
    count = sum(len(v) for v in created.values())
    activity_log(
        target=stage,
        action="selection.assigned_bulk",
        actor=actor,
        data={"created": count, "skipped": skipped},
    )
    _notify_assigned(stage, created)
    return {"created": count, "skipped": skipped}


@transaction.atomic
def assignments_auto(
    *, stage: Stage, actor, reviewers=None, per_application: int | None = None
) -> dict:
    """Give every application of the stage N active reviewers, balancing the load, never a
    reviewer linked to the applicant or with a declared conflict."""
    program = stage.program
    if not can_assign(actor, program):
        raise InvalidTransition(_("You may not assign reviewers in this programme."))
    Stage.objects.select_for_update().get(pk=stage.pk)
    _check_not_published(stage)
    config = stage_settings_get(stage)
    n = int(per_application or config.reviewers_per_application)
    if not 1 <= n <= 10:
        raise _field_error("reviewers_per_application", _("Enter a number from 1 to 10."))
    from .permissions import default_auto_reviewers

    people = list(reviewers) if reviewers is not None else list(default_auto_reviewers(program))
    if not people:
        raise _field_error("reviewers", _("There is nobody to assign: add reviewers first."))
    for person in people:
        if not is_reviewer_for(person, program):
            raise _field_error(
                "reviewers",
                _("Only office staff and the partner's members review this programme."),
            )
    applications = list(stage_pool(stage).select_related("enterprise", "enterprise__owner"))
    rows = Review.objects.filter(stage=stage).values_list("application_id", "reviewer_id", "status")
    taken: dict[int, set[int]] = defaultdict(set)
    active: Counter[int] = Counter()
    loads: Counter[int] = Counter()
    for app_id, reviewer_id, status in rows:
        taken[app_id].add(reviewer_id)
        if status in ACTIVE_REVIEW_STATUSES:
            active[app_id] += 1
            loads[reviewer_id] += 1
    plan = balance(
        applications=[a.pk for a in applications],
        reviewers=[p.pk for p in people],
        per_application=n,
        taken=taken,
        active=active,
        blocked=_blocked_pairs(stage, applications, people),
        loads=loads,
    )
    by_app = {a.pk: a for a in applications}
    by_person = {p.pk: p for p in people}
    created: dict[int, list[Review]] = defaultdict(list)
    assigned_by = actor if _is_user(actor) else None
    new_rows = [
        Review(
            stage=stage,
            application_id=app_id,
            reviewer_id=reviewer_id,
            method=AssignmentMethod.AUTO,
            assigned_by=assigned_by,
        )
        for app_id, reviewer_id in plan.pairs
    ]
    Review.objects.bulk_create(new_rows)
    for review in new_rows:
        created[review.reviewer_id].append(review)
    for app_id in sorted({a for a, _r in plan.pairs}):
        _start_review(by_app[app_id], stage, actor)
    result = {
        "created": len(plan.pairs),
        "short": [{"application": a, "missing": m} for a, m in sorted(plan.short.items())],
        "loads": {str(r): plan.loads[r] for r in sorted(plan.loads)},
        "reviewers": [
            {"id": r, "name": str(by_person[r]), "load": plan.loads[r]} for r in sorted(plan.loads)
        ],
    }
    activity_log(
        target=stage,
        action="selection.assigned_auto",
        actor=actor,
        data={"created": result["created"], "short": len(plan.short), "per_application": n},
    )
    _notify_assigned(stage, created)
    return result


@transaction.atomic
def assignment_remove(*, review: Review, actor) -> None:
    """Take an assignment back while nothing has been handed in."""
    if not can_assign(actor, review.stage.program):
        raise InvalidTransition(_("You may not assign reviewers in this programme."))
    review = Review.objects.select_for_update().get(pk=review.pk)
    if review.status not in (ReviewStatus.ASSIGNED, ReviewStatus.DRAFT):
        raise InvalidTransition(
            _("A review that has been handed in (or declined) cannot be taken back.")
        )
    activity_log(
        target=review.application,
        action="review.unassigned",
        actor=actor,
        data={"reviewer": review.reviewer_id, "stage": review.stage_id},
    )
    review.delete()


@transaction.atomic
def conflict_declare(
    *, program: Program, reviewer, enterprise, actor, reason: str = ""
) -> ReviewerConflict:
    """Record that a reviewer must never review this business in this programme; an open
    assignment between them moves to someone else."""
    if not (can_assign(actor, program) or (_is_user(actor) and actor.pk == reviewer.pk)):
        raise InvalidTransition(_("You may not declare this conflict."))
    conflict, _created = ReviewerConflict.objects.get_or_create(
        program=program,
        reviewer=reviewer,
        enterprise=enterprise,
        defaults={
            "reason": (reason or "").strip(),
            "declared_by": actor if _is_user(actor) else None,
        },
    )
    for review in Review.objects.filter(
        stage__program=program,
        reviewer=reviewer,
        application__enterprise=enterprise,
        status__in=sorted(ACTIVE_REVIEW_STATUSES),
    ):
        review_transition(review=review, to=ReviewStatus.CONFLICT, actor=actor, reason=reason)
        _reassign(review, actor)
    return conflict


def _reassign(review: Review, actor) -> Review | None:
    """After a conflict the slot goes to the least-loaded reviewer who may take it."""
    stage = review.stage
    program = stage.program
    applications = [
        Application.objects.select_related("enterprise", "enterprise__owner").get(
            pk=review.application_id
        )
    ]
    from .permissions import default_auto_reviewers

    people = list(default_auto_reviewers(program))
    rows = Review.objects.filter(stage=stage).values_list("application_id", "reviewer_id", "status")
    taken: dict[int, set[int]] = defaultdict(set)
    loads: Counter[int] = Counter()
    for app_id, reviewer_id, status in rows:
        taken[app_id].add(reviewer_id)
        if status in ACTIVE_REVIEW_STATUSES:
            loads[reviewer_id] += 1
    plan = balance(
        applications=[review.application_id],
        reviewers=[p.pk for p in people],
        per_application=1,
        taken=taken,
        active={},
        blocked=_blocked_pairs(stage, applications, people),
        loads=loads,
    )
    if not plan.pairs:
        logger.info("No reviewer left for application %s at stage %s", review.application_id, stage)
        return None
    _app_id, reviewer_id = plan.pairs[0]
    new = Review.objects.create(
        stage=stage,
        application_id=review.application_id,
        reviewer_id=reviewer_id,
        method=AssignmentMethod.REASSIGNED,
        assigned_by=actor if _is_user(actor) else None,
    )
    activity_log(
        target=new,
        action="review.assigned",
        actor=actor,
        to_state=new.status,
        data={"method": AssignmentMethod.REASSIGNED, "replaces": review.pk},
    )
    _notify_assigned(stage, {reviewer_id: [new]})
    return new


# =============================================================================================
# Reviews
# =============================================================================================


@transaction.atomic
def review_transition(
    *, review: Review, to: str, actor=None, reason: str = "", data=None
) -> Review:
    """The one way a review changes status: lock → no-op → table → save → log."""
    review = Review.objects.select_for_update().get(pk=review.pk)
    source = review.status
    if source == to and to != ReviewStatus.SUBMITTED:
        return review
    if source != to and to not in REVIEW_TRANSITIONS.get(source, frozenset()):
        raise InvalidTransition(
            _("A review cannot go from %(source)s to %(target)s.")
            % {
                "source": ReviewStatus(source).label,
                "target": ReviewStatus(to).label if to in ReviewStatus.values else to,
            }
        )
    review.status = to
    fields = ["status", "updated_at"]
    if to == ReviewStatus.SUBMITTED:
        review.submitted_at = timezone.now()
        fields.append("submitted_at")
    if to in (ReviewStatus.CONFLICT, ReviewStatus.ABSTAINED):
        review.conflict_reason = (reason or "").strip()
        fields.append("conflict_reason")
    review.save(update_fields=fields)
    activity_log(
        target=review,
        action=f"review.{to}",
        actor=actor,
        from_state=source,
        to_state=to,
        reason=reason,
        data=data,
    )
    return review


def _check_reviewer(review: Review, actor) -> None:
    if not _is_user(actor) or review.reviewer_id != actor.pk:
        raise InvalidTransition(_("Only the assigned reviewer writes this review."))


def _check_open(review: Review, now: datetime | None = None) -> None:
    config = stage_settings_get(review.stage)
    now = now or timezone.now()
    if config.review_opens_at and now < config.review_opens_at:
        raise ReviewClosed(
            _("The review of this stage opens on %(date)s.")
            % {"date": waktu(config.review_opens_at)}
        )
    if config.review_closes_at and now >= config.review_closes_at:
        raise ReviewClosed(
            _("The review deadline (%(date)s) has passed.")
            % {"date": waktu(config.review_closes_at)}
        )
    _check_not_published(review.stage)


def _clean_scores(criteria: list[Criterion], scores: dict, *, complete: bool) -> dict[str, int]:
    """Scores as integers keyed by criterion; errors by criterion key."""
    cleaned: dict[str, int] = {}
    errors: dict[str, list] = {}
    by_key = {c.key: c for c in criteria if not c.automatic}
    automatic = {c.key for c in criteria if c.automatic}
    for key, value in (scores or {}).items():
        key = str(key)
        if key in automatic:
            errors[key] = [_("This criterion is filled automatically.")]
            continue
        if key not in by_key:
            errors[key] = [_("Not a criterion of this stage.")]
            continue
        if value in (None, ""):
            continue
        if isinstance(value, bool):
            errors[key] = [_("Enter a whole number.")]
            continue
        text = str(value).strip()
        if not (isinstance(value, int) or re.fullmatch(r"-?\d+", text)):
            errors[key] = [_("Enter a whole number.")]
            continue
        number = int(text)
        c = by_key[key]
        if not c.scale_min <= number <= c.scale_max:
            errors[key] = [
                _("Enter a score from %(low)s to %(high)s.")
                % {"low": c.scale_min, "high": c.scale_max}
            ]
            continue
        cleaned[key] = number
    if complete:
        for c in by_key.values():
            if c.counted and c.key not in cleaned and c.key not in errors:
                errors[c.key] = [_("Score this criterion.")]
    if errors:
        first = next(iter(errors.values()))[0]
        raise ApplicationError(
            first, field_errors={"scores": [f"{k}: {v[0]}" for k, v in errors.items()], **errors}
        )
    return cleaned


@transaction.atomic
def review_save(
    *, review: Review, actor, scores: dict, comment: str = "", submit: bool = True, now=None
) -> Review:
    """The reviewer saves their scores and comment: a draft, or the submitted review (every
    counted criterion scored, a comment given). Editable until the stage's review deadline."""
    review = (
        Review.objects.select_for_update(of=("self",))
        .select_related("stage", "stage__program", "application")
        .get(pk=review.pk)
    )
    _check_reviewer(review, actor)
    _check_open(review, now)
    if review.status == ReviewStatus.CONFLICT:
        raise InvalidTransition(_("You declared a conflict of interest for this application."))
    if review.application.status not in (*FIRST_STAGE_POOL, ApplicationStatus.ACCEPTED):
        raise InvalidTransition(_("This application no longer competes (it was withdrawn)."))
    criteria = list(review.stage.criteria.all())
    cleaned = _clean_scores(criteria, scores, complete=submit)
    comment = (comment or "").strip()
    if submit and not comment:
        raise _field_error("comment", _("Add a comment: what you saw and why you scored so."))
    if review.status == ReviewStatus.SUBMITTED and not submit:
        raise InvalidTransition(_("A submitted review stays submitted; save it as submitted."))
    review.scores = cleaned
    review.comment = comment
    review.total = scoring.weighted_total(rules_of(criteria), cleaned) if submit else None
    review.save(update_fields=["scores", "comment", "total", "updated_at"])
    target = ReviewStatus.SUBMITTED if submit else ReviewStatus.DRAFT
    if review.status == ReviewStatus.SUBMITTED:
        activity_log(
            target=review, action="review.edited", actor=actor, data={"total": str(review.total)}
        )
        return review
    return review_transition(
        review=review, to=target, actor=actor, data={"total": str(review.total)} if submit else None
    )


@transaction.atomic
def review_declare_conflict(*, review: Review, actor, reason: str) -> Review:
    """The reviewer declares a conflict of interest: the assignment moves to someone else and
    they are never assigned this business again in the programme."""
    review = (
        Review.objects.select_for_update(of=("self",))
        .select_related("stage", "application")
        .get(pk=review.pk)
    )
    _check_reviewer(review, actor)
    _check_not_published(review.stage)
    if not (reason or "").strip():
        raise _field_error("reason", _("Say briefly why (the office reads it)."))
    ReviewerConflict.objects.get_or_create(
        program_id=review.stage.program_id,
        reviewer=actor,
        enterprise_id=review.application.enterprise_id,
        defaults={"reason": reason.strip(), "declared_by": actor},
    )
    if review.status == ReviewStatus.CONFLICT:
        return review
    review.scores, review.comment, review.total = {}, "", None
    review.save(update_fields=["scores", "comment", "total", "updated_at"])
    review = review_transition(review=review, to=ReviewStatus.CONFLICT, actor=actor, reason=reason)
    _reassign(review, actor)
    return review


@transaction.atomic
def review_abstain(*, review: Review, actor, reason: str = "", now=None) -> Review:
    """The reviewer abstains: their review does not count. The slot stays open for the next
    automatic assignment."""
    review = (
        Review.objects.select_for_update(of=("self",)).select_related("stage").get(pk=review.pk)
    )
    _check_reviewer(review, actor)
    _check_open(review, now)
    review.total = None
    review.save(update_fields=["total", "updated_at"])
    return review_transition(review=review, to=ReviewStatus.ABSTAINED, actor=actor, reason=reason)


# =============================================================================================
# Scores, candidates and the ranking
# =============================================================================================


def stage_summaries(stage: Stage) -> dict[int, scoring.Summary]:
    """Per application: mean of the submitted totals, count and spread (flagged or not).

    With automatic criteria (attendance at the stage before), each review's total counts them
    as if the reviewer had given them: (reviewers' weight * review total + automatic weight *
    automatic value) / both weights. An applicant without attendance data is scored on the
    reviewers' criteria alone."""
    config = stage_settings_get(stage)
    totals: dict[int, list[Decimal]] = defaultdict(list)
    for app_id, total in Review.objects.filter(
        stage=stage, status=ReviewStatus.SUBMITTED, total__isnull=False
    ).values_list("application_id", "total"):
        totals[app_id].append(total)
    criteria = list(stage.criteria.all())
    auto = [c for c in criteria if c.automatic and c.counted]
    if auto and totals:
        reviewers_weight = sum(
            (Decimal(c.weight) for c in criteria if c.counted and not c.automatic), Decimal(0)
        )
        values = automatic_values(stage, list(totals))
        for app_id, app_totals in totals.items():
            parts = [
                (Decimal(c.weight), values[app_id][c.key])
                for c in auto
                if values.get(app_id, {}).get(c.key) is not None
            ]
            if not parts:
                continue
            auto_weight = sum((w for w, _v in parts), Decimal(0))
            auto_part = sum((w * v for w, v in parts), Decimal(0))
            totals[app_id] = [
                scoring.round2(
                    (reviewers_weight * t / 100 + auto_part)
                    / (reviewers_weight + auto_weight)
                    * 100
                )
                for t in app_totals
            ]
    return {
        app_id: scoring.summarize(values, spread_threshold=config.spread_threshold)
        for app_id, values in totals.items()
    }


def attendance_rates(stage: Stage, application_ids: list[int]) -> dict[int, Decimal | None]:
    """The attendance (0-100) of these applications' participants at the stage before."""
    prev = previous_stage(stage)
    if prev is None:
        return {}
    from ..participation.models import Participant
    from ..participation.selectors import summary_of, with_attendance

    rows = with_attendance(
        Participant.objects.filter(stage=prev, application_id__in=application_ids)
    )
    return {p.application_id: summary_of(p).rate for p in rows}


def automatic_values(stage: Stage, application_ids: list[int]) -> dict[int, dict[str, Decimal]]:
    """Per application, each automatic criterion's value as a share (0-1) of its range."""
    auto = [c for c in stage.criteria.all() if c.automatic]
    if not auto:
        return {}
    rates = attendance_rates(stage, application_ids)
    result: dict[int, dict[str, Decimal]] = {}
    for app_id in application_ids:
        rate = rates.get(app_id)
        result[app_id] = {
            c.key: (Decimal(rate) / 100 if rate is not None else None)
            for c in auto
            if c.source == CriterionSource.ATTENDANCE
        }
    return result


def selection_candidates(stage: Stage) -> list[dict]:
    """The plain data the ranking reads, one dict per applicant, sorted by application id."""
    summaries = stage_summaries(stage)
    prev = previous_stage(stage)
    prev_tracks = {}
    if prev is not None:
        prev_tracks = dict(
            StageDecision.objects.filter(stage=prev, status=Decision.ACCEPTED).values_list(
                "application_id", "track_id"
            )
        )
    # Plain values, not model instances: a pool of thousands is read at every preview and
    # publish.
    pool = stage_pool(stage)
    applications = list(
        pool.order_by("pk").values_list(
            "pk",
            "submitted_at",
            "enterprise__workers_total",
            "enterprise__kecamatan_id",
            "enterprise__owner_gender",
        )
    )
    choices: dict[int, list[int]] = defaultdict(list)
    if prev is None:
        for app_id, track_id in (
            TrackChoice.objects.filter(application__in=pool.values("pk"))
            .order_by("application_id", "preference")
            .values_list("application_id", "track_id")
        ):
            choices[app_id].append(track_id)
    attendance = {}
    if any(c.automatic for c in stage.criteria.all()):
        attendance = attendance_rates(stage, [a[0] for a in applications])
    rows = []
    for pk, submitted_at, workers_total, kecamatan_id, owner_gender in applications:
        summary = summaries.get(pk) or scoring.Summary(None, 0, None, False)
        if prev is None:
            tracks = choices.get(pk, [])
        else:
            tracks = [prev_tracks[pk]] if prev_tracks.get(pk) else []
        rows.append(
            {
                "id": pk,
                "score": float(summary.score) if summary.score is not None else None,
                "review_count": summary.count,
                "spread": float(summary.spread) if summary.spread is not None else None,
                "flagged": summary.flagged,
                "submitted_at": submitted_at.isoformat() if submitted_at else None,
                "workers": int(workers_total or 0),
                "tracks": tracks,
                "kecamatan": kecamatan_id or "",
                "woman_owned": owner_gender == Gender.FEMALE,
                "attendance": float(attendance[pk]) if attendance.get(pk) is not None else None,
            }
        )
    return rows


def selection_params(stage: Stage, overrides: dict | None = None) -> dict:
    """The ranking's parameters in plain (JSON) form: the stage's settings, with overrides."""
    config = stage_settings_get(stage)
    overrides = dict(overrides or {})
    allowed = {
        "waitlist_length",
        "tie_breakers",
        "use_track_seats",
        "track_seats",
        "kecamatan_min",
        "kecamatan_max",
        "women_min_percent",
    }
    unknown = sorted(set(overrides) - allowed - {"women_min_share"})
    if unknown:
        raise _field_error(
            "params", _("Unknown parameters: %(names)s.") % {"names": ", ".join(unknown)}
        )
    if "women_min_share" in overrides:
        try:
            share = float(overrides.pop("women_min_share"))
        except (TypeError, ValueError):
            share = -1.0
        if not 0 <= share <= 1:
            raise _field_error("params", _("women_min_share is between 0 and 1."))
        overrides["women_min_percent"] = round(share * 100)
    values = {f: getattr(config, f) for f in allowed}
    if "use_track_seats" in overrides:
        overrides["use_track_seats"] = overrides["use_track_seats"] in (True, "true", "1", 1)
    try:
        values.update(_clean_settings(stage, overrides))
    except ApplicationError as exc:
        raise ApplicationError(
            exc.message,
            field_errors={"params": [str(e) for errs in exc.field_errors.values() for e in errs]},
        ) from exc
    track_seats = None
    if values["use_track_seats"]:
        track_seats = {str(t.pk): t.seats for t in stage.program.tracks.all()}
        track_seats.update({str(k): int(v) for k, v in (values["track_seats"] or {}).items()})
    return {
        "seats": stage.seats,
        "waitlist_length": int(values["waitlist_length"]),
        "tie_breakers": list(values["tie_breakers"] or []),
        "track_seats": dict(sorted(track_seats.items(), key=lambda kv: int(kv[0])))
        if track_seats is not None
        else None,
        "kecamatan_min": dict(values["kecamatan_min"] or {}),
        "kecamatan_max": dict(values["kecamatan_max"] or {}),
        "women_min_share": int(values["women_min_percent"] or 0) / 100,
    }


def _to_ranking(candidates: list[dict], params: dict):
    people = [
        ranking.Candidate(
            id=c["id"],
            score=c["score"],
            submitted_at=datetime.fromisoformat(c["submitted_at"]) if c["submitted_at"] else None,
            workers=c["workers"],
            tracks=tuple(c["tracks"]),
            kecamatan=c["kecamatan"],
            woman_owned=c["woman_owned"],
        )
        for c in candidates
    ]
    p = ranking.Params(
        seats=params["seats"],
        track_seats={int(k): v for k, v in params["track_seats"].items()}
        if params.get("track_seats") is not None
        else None,
        kecamatan_min=dict(params.get("kecamatan_min") or {}),
        kecamatan_max=dict(params.get("kecamatan_max") or {}),
        women_min_share=float(params.get("women_min_share") or 0),
        tie_breakers=tuple(params.get("tie_breakers") or ()),
        waitlist_length=int(params.get("waitlist_length") or 0),
    )
    return people, p


def compute_results(
    candidates: list[dict], params: dict, seed: int, adjustments: list[dict]
) -> tuple[list[dict], list[dict]]:
    """The full ranked result: the pure ranking, then the adjustments made by hand, in order.
    Deterministic: the same arguments give the same list (a selection run is re-run with it)."""
    people, p = _to_ranking(candidates, params)
    outcome = ranking.rank(people, p, seed)
    by_id = {c["id"]: c for c in candidates}
    results = []
    for r in outcome.results:
        c = by_id[r.id]
        results.append(
            {
                "application": r.id,
                "rank": r.rank,
                "score": r.score,
                "review_count": c["review_count"],
                "spread": c["spread"],
                "flagged": c["flagged"],
                "decision": r.decision,
                "track": r.track,
                "reason": r.reason,
                "computed_decision": r.decision,
                "computed_track": r.track,
                "computed_reason": r.reason,
                "adjusted": False,
                "note": "",
                "waitlist_position": None,
            }
        )
    index = {row["application"]: row for row in results}
    for adj in adjustments:
        row = index.get(adj["application"])
        if row is None:
            continue  # the applicant no longer competes; the adjustment lapses
        row["decision"] = adj["decision"]
        if adj["decision"] == Decision.SELECTED:
            tracks = by_id[row["application"]]["tracks"]
            row["track"] = (
                adj.get("track") or row["computed_track"] or (tracks[0] if tracks else None)
            )
        elif adj["decision"] == Decision.WAITLISTED:
            tracks = by_id[row["application"]]["tracks"]
            row["track"] = tracks[0] if tracks else None
        else:
            row["track"] = None
        row["reason"] = Reason.MANUAL
        row["adjusted"] = True
        row["note"] = adj.get("reason", "")
    position = 0
    for row in results:  # merit order
        if row["decision"] == Decision.WAITLISTED:
            position += 1
            row["waitlist_position"] = position
    shortfalls = [
        {"quota": s.quota, "group": s.group, "wanted": s.wanted, "got": s.got}
        for s in outcome.shortfalls
    ]
    return results, shortfalls


def check_results(results: list[dict], params: dict) -> list[str]:
    """What is wrong with a result (adjusted by hand): more selected than seats, or than a
    track's seats."""
    problems = []
    selected = [r for r in results if r["decision"] == Decision.SELECTED]
    if len(selected) > params["seats"]:
        problems.append(
            gettext("%(n)s selected for %(seats)s seats: move someone to the waitlist first.")
            % {"n": len(selected), "seats": params["seats"]}
        )
    track_seats = params.get("track_seats")
    if track_seats is not None:
        per_track = Counter(r["track"] for r in selected)
        names = dict(
            Track.objects.filter(pk__in=[t for t in per_track if t]).values_list("pk", "name")
        )
        for track, n in sorted(per_track.items(), key=lambda kv: (kv[0] is None, kv[0] or 0)):
            if track is None:
                continue
            limit = int(track_seats.get(str(track), 0))
            if n > limit:
                problems.append(
                    gettext("%(n)s selected in %(track)s, which has %(seats)s seats.")
                    % {"n": n, "track": names.get(track, track), "seats": limit}
                )
    return problems


def _adjustments_of(stage: Stage) -> list[dict]:
    return [
        {
            "application": a.application_id,
            "decision": a.decision,
            "track": a.track_id,
            "reason": a.reason,
            "by": a.created_by_id,
            "at": a.created_at.isoformat(),
        }
        for a in SelectionAdjustment.objects.filter(stage=stage).order_by("created_at", "pk")
    ]


def _default_seed(stage: Stage) -> int:
    return stage.pk


@transaction.atomic
def selection_preview(
    *, stage: Stage, actor, seed: int | None = None, params: dict | None = None
) -> SelectionRun:
    """Compute the proposed selection of a stage and stage it (replacing the previous preview).
    Applicants see nothing until it is published."""
    if not can_preview(actor, stage.program):
        raise InvalidTransition(_("You may not compute this selection."))
    stage = Stage.objects.select_for_update(of=("self",)).select_related("program").get(pk=stage.pk)
    _check_not_published(stage)
    _check_previous_published(stage)
    current = stage.selection_runs.filter(status=RunStatus.PREVIEW).first()
    if seed is None:
        seed = current.seed if current is not None else _default_seed(stage)
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**63:
        raise _field_error("seed", _("The seed is a whole number from 0."))
    params_plain = selection_params(stage, params)
    return _stage_preview(stage, actor, seed, params_plain, current)


def _stage_preview(stage, actor, seed, params_plain, current, candidates=None) -> SelectionRun:
    if candidates is None:
        candidates = selection_candidates(stage)
    adjustments = _adjustments_of(stage)
    results, shortfalls = compute_results(candidates, params_plain, seed, adjustments)
    if current is not None:
        current.status = RunStatus.DISCARDED
        current.save(update_fields=["status"])
    run = SelectionRun.objects.create(
        stage=stage,
        status=RunStatus.PREVIEW,
        seed=seed,
        params=params_plain,
        candidates=candidates,
        adjustments=adjustments,
        results=results,
        shortfalls=shortfalls,
        created_by=actor if _is_user(actor) else None,
    )
    activity_log(
        target=stage,
        action="selection.previewed",
        actor=actor,
        data={"run": run.pk, "seed": seed, "candidates": len(candidates)},
    )
    return run


def _check_previous_published(stage: Stage) -> None:
    prev = previous_stage(stage)
    if prev is not None and not prev.selection_runs.filter(status=RunStatus.PUBLISHED).exists():
        raise InvalidTransition(
            _("Publish the decisions of stage %(order)s first.") % {"order": prev.order}
        )


@transaction.atomic
def selection_adjust(
    *,
    stage: Stage,
    actor,
    application: Application,
    decision: str,
    reason: str,
    track: Track | None = None,
) -> SelectionRun:
    """Set one applicant's decision by hand over the computed preview, with a reason (the
    applicant reads it). ``decision="auto"`` removes the adjustment."""
    if not can_preview(actor, stage.program):
        raise InvalidTransition(_("You may not adjust this selection."))
    stage = Stage.objects.select_for_update(of=("self",)).select_related("program").get(pk=stage.pk)
    _check_not_published(stage)
    current = stage.selection_runs.filter(status=RunStatus.PREVIEW).first()
    if current is None:
        raise InvalidTransition(_("Compute the preview first."))
    if application.pk not in {c["id"] for c in current.candidates}:
        raise _field_error("application", _("This application does not compete at this stage."))
    if decision == "auto":
        SelectionAdjustment.objects.filter(stage=stage, application=application).delete()
        activity_log(
            target=application,
            action="selection.adjustment_removed",
            actor=actor,
            data={"stage": stage.pk},
        )
    else:
        if decision not in PUBLISHED_DECISIONS:
            raise _field_error("decision", _("Choose selected, waitlisted or not selected."))
        if not (reason or "").strip():
            raise _field_error("reason", _("Give the reason; the applicant reads it."))
        if track is not None:
            candidate = next(c for c in current.candidates if c["id"] == application.pk)
            if track.program_id != stage.program_id:
                raise _field_error("track", _("Not a track of this programme."))
            if decision != Decision.SELECTED or (
                candidate["tracks"] and track.pk not in candidate["tracks"]
            ):
                raise _field_error("track", _("Choose one of the applicant's own tracks."))
        SelectionAdjustment.objects.update_or_create(
            stage=stage,
            application=application,
            defaults={
                "decision": decision,
                "track": track,
                "reason": reason.strip(),
                "created_by": actor if _is_user(actor) else None,
                "created_at": timezone.now(),
            },
        )
        activity_log(
            target=application,
            action="selection.adjusted",
            actor=actor,
            to_state=decision,
            reason=reason,
            data={"stage": stage.pk, "track": track.pk if track else None},
        )
    adjustments = _adjustments_of(stage)
    results, _short = compute_results(current.candidates, current.params, current.seed, adjustments)
    problems = check_results(results, current.params)
    if problems and decision != "auto":
        raise ApplicationError(problems[0], field_errors={"decision": problems})
    return _stage_preview(stage, actor, current.seed, current.params, current)


def selection_rerun(run: SelectionRun) -> dict:
    """Compute a run again from what it recorded; the result must be the same."""
    results, shortfalls = compute_results(run.candidates, run.params, run.seed, run.adjustments)
    differences = [
        {"application": new["application"], "recorded": old, "now": new}
        for old, new in zip(run.results, results, strict=False)
        if old != new
    ]
    if len(run.results) != len(results):
        differences.append({"application": None, "recorded": len(run.results), "now": len(results)})
    return {
        "identical": not differences and shortfalls == run.shortfalls,
        "differences": differences,
        "results": results,
    }


def _deadline_for(stage: Stage, config: StageSettings, now: datetime) -> datetime:
    if stage.response_deadline and stage.response_deadline > now:
        return stage.response_deadline
    return now + timedelta(days=config.offer_days)


@transaction.atomic
def selection_publish(*, stage: Stage, actor, now: datetime | None = None) -> SelectionRun:
    """Apply every decision of the stage in one transaction: the staged preview (computed now
    if there is none) becomes the published selection run; each applicant gets their decision
    and one notification. A failure anywhere publishes nothing."""
    if not can_publish(actor, stage.program):
        raise InvalidTransition(_("Only the office publishes decisions."))
    now = now or timezone.now()
    stage = Stage.objects.select_for_update(of=("self",)).select_related("program").get(pk=stage.pk)
    _check_not_published(stage)
    _check_previous_published(stage)
    run = stage.selection_runs.filter(status=RunStatus.PREVIEW).select_for_update().first()
    candidates = selection_candidates(stage)
    if run is None:
        run = _stage_preview(
            stage, actor, _default_seed(stage), selection_params(stage), None, candidates
        )
    elif run.candidates != candidates or run.adjustments != _adjustments_of(stage):
        raise StalePreview()
    problems = check_results(run.results, run.params)
    if problems:
        raise InvalidTransition(problems[0], field_errors={"results": problems})
    if not run.results:
        raise InvalidTransition(_("Nobody competes at this stage yet."))
    config = stage_settings_get(stage)
    deadline = _deadline_for(stage, config, now)
    applications = {
        a.pk: a
        for a in Application.objects.select_related(
            "enterprise", "enterprise__owner", "program"
        ).filter(pk__in=[r["application"] for r in run.results])
    }
    tracks = {t.pk: t for t in Track.objects.filter(program_id=stage.program_id)}
    # In bulk, with the outcome of one applicant at a time: the decisions in one insert, the
    # applications' transitions through application_transition_many (one lock, one UPDATE per
    # status), the decisions' log in one insert, every message through the outbox in one go.
    of = len(run.results)
    decisions = []
    for row in run.results:
        decision = row["decision"]
        score = row["score"]
        track_id = row["track"] if decision != Decision.NOT_SELECTED else None
        decisions.append(
            StageDecision(
                stage=stage,
                application=applications[row["application"]],
                run=run,
                status=decision,
                published_decision=decision,
                track_id=track_id,
                score=Decimal(str(score)).quantize(Decimal("0.01")) if score is not None else None,
                review_count=row["review_count"],
                rank=row["rank"],
                rank_of=of,
                reason=row["reason"],
                reason_note=row["note"],
                waitlist_position=row["waitlist_position"],
                response_deadline=deadline if decision == Decision.SELECTED else None,
                status_changed_at=now,
            )
        )
    for obj in decisions:
        if obj.track_id in tracks:
            obj.track = tracks[obj.track_id]  # the messages name it: no query per decision
    StageDecision.objects.bulk_create(decisions)
    if any(obj.pk is None for obj in decisions):  # a database that returns no ids from an insert
        ids = dict(StageDecision.objects.filter(stage=stage).values_list("application_id", "pk"))
        for obj in decisions:
            obj.pk = ids[obj.application_id]
    if stage.order == 1:
        changes = []
        for obj in decisions:
            application = obj.application
            if application.status == ApplicationStatus.ELIGIBLE:
                changes.append(ApplicationChange(application, ApplicationStatus.IN_REVIEW))
            changes.append(
                ApplicationChange(
                    application,
                    APPLICATION_STATUS_OF[obj.status],
                    _reason_for_owner(obj, application),
                    {"stage": stage.order, "run": run.pk},
                )
            )
        application_transition_many(changes=changes, actor=actor)
    ActivityLog.objects.bulk_create(
        [
            activity_log_entry(
                target=obj,
                action=f"selection.{row['decision']}",
                actor=actor,
                to_state=row["decision"],
                reason=row["note"] or row["reason"],
                data={"run": run.pk, "rank": row["rank"], "score": row["score"]},
            )
            for obj, row in zip(decisions, run.results, strict=True)
        ]
    )
    messages = [
        _decision_notification(obj, obj.application, template=f"selection_{obj.status}")
        for obj in decisions
    ]
    notification_queue_many(messages=[m for m in messages if m is not None])
    run.status = RunStatus.PUBLISHED
    run.published_by = actor if _is_user(actor) else None
    run.published_at = now
    run.save(update_fields=["status", "published_by", "published_at"])
    counts = Counter(r["decision"] for r in run.results)
    activity_log(
        target=stage,
        action="selection.published",
        actor=actor,
        data={"run": run.pk, **{k: counts.get(k, 0) for k in PUBLISHED_DECISIONS}},
    )
    return run


# =============================================================================================
# Offers: accept, decline, lapse, and the waitlist
# =============================================================================================


@transaction.atomic
def decision_transition(
    *,
    decision: StageDecision,
    to: str,
    actor=None,
    reason: str = "",
    now: datetime | None = None,
    track_id: int | None = None,
    response_deadline: datetime | None = None,
) -> StageDecision:
    """The one way a published decision changes: lock → no-op → table → save → log → the
    application's status at the first stage → the applicant's notification."""
    now = now or timezone.now()
    decision = (
        StageDecision.objects.select_for_update(of=("self",))
        .select_related("stage", "stage__program", "application", "application__enterprise")
        .get(pk=decision.pk)
    )
    source = decision.status
    if source == to:
        return decision
    if to not in DECISION_TRANSITIONS.get(source, frozenset()):
        raise InvalidTransition(
            _("A decision cannot go from %(source)s to %(target)s.")
            % {
                "source": Decision(source).label,
                "target": Decision(to).label if to in Decision.values else to,
            }
        )
    decision.status = to
    decision.status_changed_at = now
    fields = ["status", "status_changed_at", "updated_at"]
    if to in (Decision.ACCEPTED, Decision.DECLINED):
        decision.responded_at = now
        fields.append("responded_at")
    if source == Decision.WAITLISTED and to == Decision.SELECTED:
        decision.promoted_at = now
        decision.track_id = track_id
        decision.response_deadline = response_deadline
        decision.reason = Reason.PROMOTED
        fields += ["promoted_at", "track", "response_deadline", "reason"]
    decision.save(update_fields=fields)
    activity_log(
        target=decision,
        action=f"selection.{to}",
        actor=actor,
        from_state=source,
        to_state=to,
        reason=reason,
        data={"stage": decision.stage.order, "track": decision.track_id},
    )
    application = decision.application
    if decision.stage.order == 1:
        application_transition(
            application=application,
            to=APPLICATION_STATUS_OF[to],
            actor=actor,
            reason=_reason_for_owner(decision, application),
            data={"stage": 1, "decision": to},
        )
    template = {
        Decision.SELECTED: "selection_promoted",
        Decision.LAPSED: "selection_lapsed",
        Decision.NOT_SELECTED: "selection_not_selected",
    }.get(to)
    if template:
        _notify_decision(decision, application, template=template)
    return decision


def open_offer(application: Application) -> StageDecision | None:
    return (
        StageDecision.objects.filter(application=application, status=Decision.SELECTED)
        .select_related("stage")
        .order_by("-stage__order")
        .first()
    )


def seats_taken(
    stage: Stage, *, statuses=SEAT_HOLDING, track_id: int | None = None, exclude=None
) -> int:
    qs = StageDecision.objects.filter(stage=stage, status__in=sorted(statuses))
    if track_id is not None:
        qs = qs.filter(track_id=track_id)
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    return qs.count()


def _track_limit(stage: Stage, params: dict, track_id: int | None) -> int | None:
    track_seats = params.get("track_seats")
    if track_seats is None or track_id is None:
        return None
    return int(track_seats.get(str(track_id), 0))


@transaction.atomic
def offer_respond(
    *, application: Application, actor, accept: bool, now: datetime | None = None
) -> StageDecision:
    """The owner accepts or declines their open offer before its deadline. Accepting takes a
    seat under the stage's lock (never more accepted than seats); declining frees it for the
    next on the waitlist."""
    from ..permissions import is_application_owner

    now = now or timezone.now()
    if not is_application_owner(actor, application):
        raise _field_error("application", _("Only the business owner responds to this offer."))
    offer = open_offer(application)
    if offer is None:
        done = (
            StageDecision.objects.filter(
                application=application, status__in=[Decision.ACCEPTED, Decision.DECLINED]
            )
            .order_by("-stage__order")
            .first()
        )
        wanted = Decision.ACCEPTED if accept else Decision.DECLINED
        if done is not None and done.status == wanted:
            return done  # the same answer twice changes nothing
        raise InvalidTransition(_("There is no open offer to respond to."))
    stage = Stage.objects.select_for_update().get(pk=offer.stage_id)
    offer = (
        StageDecision.objects.select_for_update(of=("self",)).select_related("run").get(pk=offer.pk)
    )
    if offer.status != Decision.SELECTED:
        raise InvalidTransition(_("There is no open offer to respond to."))
    if offer.response_deadline and now >= offer.response_deadline:
        raise InvalidTransition(
            _("The response deadline (%(date)s) has passed.")
            % {"date": waktu(offer.response_deadline)}
        )
    if accept:
        if seats_taken(stage, statuses={Decision.ACCEPTED}, exclude=offer) >= stage.seats:
            raise CapacityFull(_("All seats of this stage have been taken."))
        limit = _track_limit(stage, offer.run.params, offer.track_id)
        if limit is not None and (
            seats_taken(stage, statuses={Decision.ACCEPTED}, track_id=offer.track_id, exclude=offer)
            >= limit
        ):
            raise CapacityFull(_("All seats of this track have been taken."))
        offer = decision_transition(decision=offer, to=Decision.ACCEPTED, actor=actor, now=now)
        participant_enroll_on_accept(decision=offer, actor=actor)
        return offer
    offer = decision_transition(decision=offer, to=Decision.DECLINED, actor=actor, now=now)
    waitlist_promote(stage=stage, now=now)
    return offer


def waitlist_promote(
    *, stage: Stage, now: datetime | None = None, actor=None
) -> list[StageDecision]:
    """Offer every free seat to the next on the waitlist whose track still has room (the
    highest-preference one). Call with the stage row locked."""
    now = now or timezone.now()
    run = stage.selection_runs.filter(status=RunStatus.PUBLISHED).first()
    if run is None:
        return []
    config = stage_settings_get(stage)
    free = stage.seats - seats_taken(stage)
    promoted = []
    if free <= 0:
        return promoted
    candidates = {c["id"]: c for c in run.candidates}
    waiting = list(
        StageDecision.objects.select_for_update(of=("self",))
        .filter(stage=stage, status=Decision.WAITLISTED)
        .order_by("waitlist_position", "rank")
    )
    for decision in waiting:
        if free <= 0:
            break
        tracks = candidates.get(decision.application_id, {}).get("tracks") or []
        chosen = None
        if run.params.get("track_seats") is None:
            chosen = tracks[0] if tracks else None
        else:
            for track_id in tracks:
                limit = _track_limit(stage, run.params, track_id)
                if seats_taken(stage, track_id=track_id) < (limit or 0):
                    chosen = track_id
                    break
            if chosen is None:
                continue
        decision_transition(
            decision=decision,
            to=Decision.SELECTED,
            actor=actor,
            now=now,
            track_id=chosen,
            response_deadline=now + timedelta(days=config.offer_days),
            reason=gettext("A seat became free and you were next on the waitlist."),
        )
        promoted.append(decision)
        free -= 1
    return promoted


def offers_lapse_due(*, now: datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Beat: offers not answered by their deadline lapse, and their seats go to the waitlist."""
    now = now or timezone.now()
    due = list(
        StageDecision.objects.filter(status=Decision.SELECTED, response_deadline__lte=now)
        .order_by("response_deadline", "pk")
        .values_list("pk", "stage_id")[:limit]
    )
    lapsed = promoted = 0
    for pk, stage_id in due:
        with transaction.atomic():
            stage = Stage.objects.select_for_update().get(pk=stage_id)
            decision = StageDecision.objects.select_for_update(of=("self",)).get(pk=pk)
            if decision.status != Decision.SELECTED or decision.response_deadline > now:
                continue
            decision_transition(
                decision=decision,
                to=Decision.LAPSED,
                now=now,
                reason=gettext("The offer was not answered by its deadline."),
            )
            lapsed += 1
            promoted += len(waitlist_promote(stage=stage, now=now))
    return {"lapsed": lapsed, "promoted": promoted}


def participant_enroll_on_accept(*, decision: StageDecision, actor) -> None:
    """An accepted offer makes a participant of the stage (issue 7, participation): the one
    call site, inside the accept's transaction."""
    from ..participation.services import participant_enroll

    participant_enroll(
        application=decision.application, stage=decision.stage, track=decision.track, actor=actor
    )


# =============================================================================================
# What applicants and reviewers are told
# =============================================================================================


def status_note(decision: StageDecision) -> str:
    """What became of an offer, in the active language ("" while it is open)."""
    return {
        Decision.ACCEPTED: gettext("You accepted the offer."),
        Decision.DECLINED: gettext("You declined the offer."),
        Decision.LAPSED: gettext("The offer was not answered by its deadline."),
    }.get(decision.status, "")


# Marked for translation here, translated when read (only the one an applicant gets).
REASON_TEXTS = {
    Reason.MERIT: _("Your score placed you within the seats of this stage."),
    Reason.KECAMATAN_MIN: _("Selected under the minimum number of seats for your kecamatan."),
    Reason.WOMEN_MIN: _("Selected under the minimum share of women-owned businesses."),
    Reason.WAITLIST: _("You were next in merit order after the seats, on the waitlist."),
    Reason.SEATS_FULL: _("All seats went to applicants with higher scores."),
    Reason.NO_TRACK_SEAT: _("The tracks you chose were full when your turn came."),
    Reason.KECAMATAN_MAX: _("Your kecamatan had already reached its maximum number of seats."),
    Reason.NO_SCORE: _("Your application had no complete review."),
    Reason.MANUAL: _("Decided by the selection committee."),
    Reason.PROMOTED: _("A seat became free and you were next on the waitlist."),
}


def reason_text(decision: StageDecision) -> str:
    """The short reason an applicant reads, in the active language."""
    code = decision.reason
    if code == Reason.MANUAL and decision.reason_note:
        return gettext("Decided by the selection committee: %(note)s") % {
            "note": decision.reason_note
        }
    if decision.status == Decision.WAITLISTED and decision.waitlist_position:
        return gettext(
            "You are number %(n)s on the waitlist: if a seat becomes free it is offered to you."
        ) % {"n": decision.waitlist_position}
    text = REASON_TEXTS.get(code)
    return str(text) if text is not None else ""


def _reason_for_owner(decision: StageDecision, application: Application) -> str:
    """The application's status reason: why, and what became of the offer, in the owner's
    language."""
    owner = application.enterprise.owner
    language = (owner.language if owner is not None else "") or settings.LANGUAGE_CODE
    with translation.override(language):
        return " ".join(t for t in (status_note(decision), reason_text(decision)) if t)


def _notify_decision(decision: StageDecision, application: Application, *, template: str) -> None:
    """One message per applicant per decision (the key makes a second call a no-op)."""
    message = _decision_notification(decision, application, template=template)
    if message is not None:
        _notify(**message)


def _decision_notification(
    decision: StageDecision, application: Application, *, template: str
) -> dict | None:
    """The applicant's message about a decision (the arguments of ``notification_queue``), in
    the owner's language; None without an owner."""
    owner = application.enterprise.owner
    if owner is None:
        return None
    language = owner.language or settings.LANGUAGE_CODE
    stage = decision.stage
    with translation.override(language):
        context = {
            "program_title": application.program.title,
            "business_name": application.enterprise.name,
            "stage_name": stage.name,
            "stage_order": stage.order,
            "track_name": decision.track.name if decision.track_id else "",
            "deadline": waktu(decision.response_deadline) if decision.response_deadline else "",
            "waitlist_position": decision.waitlist_position or "",
            "score_band": scoring.score_band(decision.score),
            "rank_band": scoring.rank_band(decision.rank, decision.rank_of),
            "rank_of": decision.rank_of,
            "reason": reason_text(decision),
            "url": reverse("training:selection_mine_detail", args=[application.pk]),
        }
    suffix = template.removeprefix("selection_")
    return {
        "recipient": owner,
        "template": template,
        "context": context,
        "channels": ["email", "in_app"],
        "related": decision,
        "key": f"selection:{stage.pk}:{application.pk}:{suffix}",
    }


def _notify_assigned(stage: Stage, created: dict[int, list[Review]]) -> None:
    from django.contrib.auth import get_user_model

    people = get_user_model().objects.in_bulk(list(created))
    for reviewer_id, reviews in created.items():
        if not reviews:
            continue
        _notify(
            recipient=people[reviewer_id],
            template="selection_review_assigned",
            context={
                "program_title": stage.program.title,
                "stage_name": stage.name,
                "count": len(reviews),
                "url": reverse("training:review_queue"),
            },
            channels=["email", "in_app"],
            related=stage,
            key=f"review-assigned:{stage.pk}:{reviewer_id}:{max(r.pk or 0 for r in reviews)}",
        )


def reviews_remind_due(*, now: datetime | None = None) -> int:
    """Beat: a few days before a stage's review deadline, each reviewer with reviews still
    outstanding gets one reminder for that stage."""
    now = now or timezone.now()
    sent = 0
    configs = (
        StageSettings.objects.filter(review_closes_at__gt=now)
        .exclude(stage__selection_runs__status=RunStatus.PUBLISHED)
        .select_related("stage", "stage__program")
    )
    for config in configs:
        if config.review_closes_at - timedelta(days=config.reminder_days) > now:
            continue
        outstanding = (
            Review.objects.filter(
                stage=config.stage, status__in=sorted(OUTSTANDING_REVIEW_STATUSES)
            )
            .values("reviewer")
            .annotate(n=Count("id"))
            .order_by("reviewer")
        )
        from django.contrib.auth import get_user_model

        people = get_user_model().objects.in_bulk([row["reviewer"] for row in outstanding])
        for row in outstanding:
            reviewer = people[row["reviewer"]]
            with transaction.atomic():
                rows = _notify_reminder(config, reviewer, row["n"])
                Review.objects.filter(
                    stage=config.stage,
                    reviewer=reviewer,
                    status__in=sorted(OUTSTANDING_REVIEW_STATUSES),
                    reminded_at__isnull=True,
                ).update(reminded_at=now)
            sent += int(bool(rows))
    return sent


def _notify_reminder(config: StageSettings, reviewer, count: int):
    from ikm_portal.notifications.services import notification_queue

    language = reviewer.language or settings.LANGUAGE_CODE
    with translation.override(language):
        deadline = waktu(config.review_closes_at)
    return notification_queue(
        recipient=reviewer,
        template="selection_review_reminder",
        context={
            "program_title": config.stage.program.title,
            "stage_name": config.stage.name,
            "count": count,
            "deadline": deadline,
            "url": reverse("training:review_queue"),
        },
        channels=["email", "in_app"],
        related=config.stage,
        key=f"review-reminder:{config.stage_id}:{reviewer.pk}",
    )


def random_seed() -> int:
    """A fresh seed for a lottery tie-breaker (recorded with the run)."""
    return random.SystemRandom().randrange(1, 2**31)
