"""Reads of review and selection, always through the scoping functions."""

from __future__ import annotations

from collections import Counter, defaultdict

from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce

from ..models import Application, Stage, Track, TrackChoice
from ..selectors import application_shared_data, questions_for
from . import scoring
from .choices import (
    ACTIVE_REVIEW_STATUSES,
    OUTSTANDING_REVIEW_STATUSES,
    Decision,
    OthersScores,
    ReviewStatus,
    RunStatus,
)
from .models import Review, SelectionRun, StageDecision
from .permissions import (
    assignments_visible_to,
    decisions_visible_to,
    reviews_visible_to,
    runs_visible_to,
    stages_visible_to,
)
from .services import stage_pool, stage_settings_get, stage_summaries

BLIND_FIELDS = ("owner_name", "owner_nik", "phone", "email")


# --- Stages --------------------------------------------------------------------------------------


def stage_list(*, user) -> QuerySet[Stage]:
    return (
        stages_visible_to(user)
        .select_related("program", "program__partner", "selection_settings")
        .order_by("program_id", "order")
    )


def stage_overview(stage: Stage) -> dict:
    """Counts for a stage's page: competitors, reviews by status, coverage, decisions."""
    config = stage_settings_get(stage)
    pool_ids = list(stage_pool(stage).values_list("pk", flat=True))
    reviews = Counter(
        dict(
            Review.objects.filter(stage=stage)
            .values_list("status")
            .annotate(n=Count("id"))
            .values_list("status", "n")
        )
    )
    active = Counter(
        Review.objects.filter(
            stage=stage, status__in=sorted(ACTIVE_REVIEW_STATUSES), application_id__in=pool_ids
        ).values_list("application_id", flat=True)
    )
    summaries = stage_summaries(stage)
    decisions = Counter(
        dict(
            StageDecision.objects.filter(stage=stage)
            .values_list("status")
            .annotate(n=Count("id"))
            .values_list("status", "n")
        )
    )
    published = stage.selection_runs.filter(status=RunStatus.PUBLISHED).first()
    preview = stage.selection_runs.filter(status=RunStatus.PREVIEW).first()
    return {
        "settings": config,
        "pool": len(pool_ids),
        "reviews": {s: reviews.get(s, 0) for s in ReviewStatus.values},
        "fully_assigned": sum(1 for a in pool_ids if active[a] >= config.reviewers_per_application),
        "scored": sum(1 for a in pool_ids if summaries.get(a) and summaries[a].count),
        "flagged": sum(1 for a in pool_ids if summaries.get(a) and summaries[a].flagged),
        "decisions": {d: decisions.get(d, 0) for d in Decision.values},
        "published": published,
        "preview": preview,
        "criteria": list(stage.criteria.all()),
    }


# --- Assignments ---------------------------------------------------------------------------------


def assignment_list(*, user) -> QuerySet[Review]:
    return assignments_visible_to(user).select_related(
        "reviewer", "application", "application__enterprise", "stage", "stage__program"
    )


def assignment_table(stage: Stage) -> dict:
    """Per competing application: its reviewers (with their status) and the stage's reviewer
    loads, for the assignment page."""
    config = stage_settings_get(stage)
    applications = list(
        stage_pool(stage)
        .select_related("enterprise", "enterprise__kecamatan")
        .prefetch_related(
            Prefetch(
                "reviews",
                queryset=Review.objects.filter(stage=stage).select_related("reviewer"),
                to_attr="stage_reviews",
            )
        )
        .order_by("submitted_at", "pk")
    )
    loads: Counter[int] = Counter()
    people = {}
    for a in applications:
        a.active_count = 0
        for r in a.stage_reviews:
            people[r.reviewer_id] = r.reviewer
            if r.status in ACTIVE_REVIEW_STATUSES:
                a.active_count += 1
                loads[r.reviewer_id] += 1
        a.needs = max(0, config.reviewers_per_application - a.active_count)
    return {
        "applications": applications,
        "loads": sorted(
            ((people[pk], n) for pk, n in loads.items()), key=lambda pair: (-pair[1], str(pair[0]))
        ),
        "missing": sum(a.needs for a in applications),
    }


# --- Reviews -------------------------------------------------------------------------------------


def review_list(*, user) -> QuerySet[Review]:
    return reviews_visible_to(user).select_related(
        "stage", "stage__program", "stage__selection_settings", "application", "reviewer"
    )


def _submitted_count_subquery():
    return Coalesce(
        Subquery(
            Review.objects.filter(
                stage=OuterRef("stage"),
                application=OuterRef("application"),
                status=ReviewStatus.SUBMITTED,
            )
            .values("application")
            .annotate(n=Count("id"))
            .values("n")[:1]
        ),
        0,
    )


def reviewer_queue(*, user, stage: Stage | None = None) -> QuerySet[Review]:
    """The reviewer's outstanding assignments, fewest reviews of the application first, so that
    every applicant gets their reviews before anyone gets a third."""
    qs = (
        Review.objects.filter(reviewer=user, status__in=sorted(OUTSTANDING_REVIEW_STATUSES))
        .exclude(stage__selection_runs__status=RunStatus.PUBLISHED)
        .select_related(
            "stage",
            "stage__program",
            "stage__selection_settings",
            "application",
            "application__enterprise",
        )
        .annotate(reviews_done=_submitted_count_subquery())
        .order_by("reviews_done", "created_at", "pk")
    )
    if stage is not None:
        qs = qs.filter(stage=stage)
    return qs


def reviewer_done(*, user) -> QuerySet[Review]:
    return (
        Review.objects.filter(reviewer=user)
        .exclude(status__in=sorted(OUTSTANDING_REVIEW_STATUSES))
        .select_related("stage", "stage__program", "application", "application__enterprise")
        .order_by("-updated_at")
    )


def next_review(*, user, stage: Stage | None = None, exclude: int | None = None) -> Review | None:
    qs = reviewer_queue(user=user, stage=stage)
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    for review in qs[:20]:
        if stage_settings_get(review.stage).review_is_open():
            return review
    return None


def is_blind_for(review: Review) -> bool:
    return stage_settings_get(review.stage).blind_review


def applicant_data(*, application: Application, blind: bool, viewer=None) -> dict:
    """The application's shared data as a reviewer sees it: NIK masked; with blind review, no
    owner's name, NIK or contact; a partner reviewer sees "data withdrawn by the owner" once the
    owner withdrew their consent."""
    data = application_shared_data(application=application, viewer=viewer)
    if blind:
        for key in BLIND_FIELDS:
            data.pop(key, None)
    return data


def others_visible(review: Review) -> bool:
    """Whether this review's author may see the others' scores of the same application."""
    rule = stage_settings_get(review.stage).others_scores
    if rule == OthersScores.ALWAYS:
        return True
    if rule == OthersScores.AFTER_SUBMIT:
        return review.status == ReviewStatus.SUBMITTED
    return False


def review_page(*, review: Review, user) -> dict:
    """Everything the review page shows."""
    application = (
        Application.objects.select_related(
            "program", "enterprise", "enterprise__kecamatan", "enterprise__kelurahan"
        )
        .prefetch_related(
            Prefetch(
                "track_choices",
                queryset=TrackChoice.objects.select_related("track").order_by("preference"),
            ),
            "answers",
            "enterprise__products",
        )
        .get(pk=review.application_id)
    )
    track_ids = [c.track_id for c in application.track_choices.all()]
    answers = {a.question_id: a for a in application.answers.all()}
    questions = questions_for(program=application.program, track_ids=track_ids)
    all_criteria = list(review.stage.criteria.all())
    criteria = [c for c in all_criteria if not c.automatic]
    automatic = [c for c in all_criteria if c.automatic]
    rate = None
    if automatic:
        from .services import attendance_rates

        rate = attendance_rates(review.stage, [review.application_id]).get(review.application_id)
    others = []
    if review.reviewer_id == user.pk and others_visible(review):
        others = list(
            reviews_visible_to(user)
            .filter(stage=review.stage, application=review.application)
            .exclude(pk=review.pk)
            .filter(status=ReviewStatus.SUBMITTED)
            .select_related("reviewer")
        )
    elif review.reviewer_id != user.pk:
        others = list(
            reviews_visible_to(user)
            .filter(
                stage=review.stage, application=review.application, status=ReviewStatus.SUBMITTED
            )
            .exclude(pk=review.pk)
            .select_related("reviewer")
        )
    blind = is_blind_for(review)
    return {
        "my_scores": [(c, (review.scores or {}).get(c.key)) for c in criteria],
        "other_scores": [(o, [(c, (o.scores or {}).get(c.key)) for c in criteria]) for o in others],
        "application": application,
        "data": applicant_data(application=application, blind=blind, viewer=user),
        "blind": blind,
        "tracks": [c.track for c in application.track_choices.all()],
        "qa": [(q, answers.get(q.pk)) for q in questions],
        "criteria": criteria,
        "automatic": [(c, rate) for c in automatic],
        "others": others,
        "settings": stage_settings_get(review.stage),
    }


# --- Scores and selection ----------------------------------------------------------------------


def score_rows(stage: Stage) -> list[dict]:
    summaries = stage_summaries(stage)
    rows = []
    for a in stage_pool(stage).select_related("enterprise").order_by("pk"):
        s = summaries.get(a.pk) or scoring.Summary(None, 0, None, False)
        rows.append({"application": a, "summary": s})
    rows.sort(
        key=lambda r: (r["summary"].score is None, -(r["summary"].score or 0), r["application"].pk)
    )
    return rows


def run_list(*, user) -> QuerySet[SelectionRun]:
    return runs_visible_to(user).select_related(
        "stage", "stage__program", "created_by", "published_by"
    )


def run_rows(run: SelectionRun) -> list[dict]:
    """The run's results with the applicants' names and the tracks' names, for its pages."""
    ids = [r["application"] for r in run.results]
    applications = Application.objects.select_related(
        "enterprise", "enterprise__kecamatan"
    ).in_bulk(ids)
    tracks = dict(Track.objects.filter(program_id=run.stage.program_id).values_list("pk", "name"))
    candidates = {c["id"]: c for c in run.candidates}
    rows = []
    for r in run.results:
        c = candidates.get(r["application"], {})
        rows.append(
            {
                **r,
                "application_obj": applications.get(r["application"]),
                "track_name": tracks.get(r["track"], "") if r["track"] else "",
                "computed_track_name": tracks.get(r["computed_track"], "")
                if r.get("computed_track")
                else "",
                "choices": [tracks.get(t, t) for t in c.get("tracks", [])],
                "candidate": c,
            }
        )
    return rows


def run_counts(run: SelectionRun) -> dict:
    counts = Counter(r["decision"] for r in run.results)
    per_track = defaultdict(int)
    for r in run.results:
        if r["decision"] == Decision.SELECTED and r["track"]:
            per_track[r["track"]] += 1
    names = dict(Track.objects.filter(program_id=run.stage.program_id).values_list("pk", "name"))
    track_seats = run.params.get("track_seats")
    return {
        "selected": counts.get(Decision.SELECTED, 0),
        "waitlisted": counts.get(Decision.WAITLISTED, 0),
        "not_selected": counts.get(Decision.NOT_SELECTED, 0),
        "adjusted": sum(1 for r in run.results if r.get("adjusted")),
        "tracks": [
            (
                names.get(int(pk), pk),
                per_track.get(int(pk), 0),
                seats,
            )
            for pk, seats in (track_seats or {}).items()
        ]
        if track_seats is not None
        else [(names.get(pk, pk), n, None) for pk, n in sorted(per_track.items())],
    }


def decision_list(*, user) -> QuerySet[StageDecision]:
    return decisions_visible_to(user).select_related(
        "stage", "stage__program", "application", "application__enterprise", "track"
    )


def stage_decisions(stage: Stage) -> QuerySet[StageDecision]:
    return (
        StageDecision.objects.filter(stage=stage)
        .select_related("application", "application__enterprise", "track")
        .order_by("rank")
    )


def applicant_results(*, application: Application) -> list[dict]:
    """What an applicant may know, per stage of their programme: the decision and what became
    of it, their score band, rank band and the reason. Nothing about anyone else."""
    from .services import reason_text, status_note

    stages = list(application.program.stages.order_by("order"))
    decisions = {
        d.stage_id: d
        for d in StageDecision.objects.filter(application=application).select_related(
            "track", "stage"
        )
    }
    rows = []
    for stage in stages:
        d = decisions.get(stage.pk)
        rows.append(
            {
                "stage": stage,
                "decision": d,
                "score_band": scoring.score_band(d.score) if d else "",
                "rank_band": scoring.rank_band(d.rank, d.rank_of) if d else "",
                "reason": reason_text(d) if d else "",
                "note": status_note(d) if d else "",
            }
        )
    return rows


def owner_decisions(*, user) -> QuerySet[Application]:
    """The owner's applications that have a published decision."""
    return (
        Application.objects.filter(enterprise__owner=user, stage_decisions__isnull=False)
        .distinct()
        .select_related("program", "enterprise")
        .prefetch_related(
            Prefetch(
                "stage_decisions",
                queryset=StageDecision.objects.select_related("stage", "track").order_by(
                    "stage__order"
                ),
            )
        )
        .order_by("-pk")
    )


def open_offers(*, user) -> QuerySet[StageDecision]:
    return (
        StageDecision.objects.filter(application__enterprise__owner=user, status=Decision.SELECTED)
        .select_related("stage", "application", "application__program", "track")
        .order_by("response_deadline")
    )


def reviewer_counts(*, user) -> dict:
    outstanding = reviewer_queue(user=user).count()
    return {"outstanding": outstanding}


def selection_current(stage: Stage) -> SelectionRun:
    """The published run, else the staged preview, else a preview computed now and not kept
    (with the stage's settings and its default seed)."""
    from .services import _adjustments_of, compute_results, selection_candidates, selection_params

    for status in (RunStatus.PUBLISHED, RunStatus.PREVIEW):
        run = stage.selection_runs.filter(status=status).first()
        if run is not None:
            return run
    candidates = selection_candidates(stage)
    params = selection_params(stage)
    adjustments = _adjustments_of(stage)
    results, shortfalls = compute_results(candidates, params, stage.pk, adjustments)
    return SelectionRun(
        stage=stage,
        status=RunStatus.PREVIEW,
        seed=stage.pk,
        params=params,
        candidates=candidates,
        adjustments=adjustments,
        results=results,
        shortfalls=shortfalls,
    )


def hides_identity(user, application: Application) -> bool:
    """Whether a partner user looking at this application must not see the owner's name, NIK
    and contact: a stage of its programme under blind review, before its decisions are
    published. For issue 5's partner-facing application pages and API (see docs/selection.md)."""
    from partnerships.permissions import is_office

    if user is None or is_office(user) or application.enterprise.owner_id == user.pk:
        return False
    return (
        Stage.objects.filter(
            program_id=application.program_id, selection_settings__blind_review=True
        )
        .exclude(selection_runs__status=RunStatus.PUBLISHED)
        .exists()
    )
