"""Pages of review and selection. They call the same services and scoping functions as the API;
what a user may not see is a 404 for them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ikm_portal.core.exceptions import ApplicationError
from ikm_portal.core.selectors import activity_for
from partnerships.permissions import is_office, membership_of
from partnerships.views import form_error

from .. import selectors as training_selectors
from .. import services as training_services
from ..choices import AccessChannel
from ..models import Application, Stage
from . import selectors, services
from .choices import Decision, ReviewStatus, RunStatus
from .forms import (
    AdjustForm,
    AutoAssignForm,
    BulkAssignForm,
    ConflictForm,
    CriterionFormSet,
    OptionalReasonForm,
    PreviewForm,
    ReasonForm,
    ReviewForm,
    StageSettingsForm,
)
from .models import Review
from .permissions import (
    can_assign,
    can_configure_stage,
    can_preview,
    can_publish,
    can_respond,
    can_see_assignments,
    reviewer_pool,
)


def _page(request, items, per_page: int = 50):
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def _messages_from(request, exc: ApplicationError) -> None:
    messages.error(request, str(exc.message))
    for errors in exc.field_errors.values():
        for error in errors if isinstance(errors, list | tuple) else [errors]:
            if str(error) != str(exc.message):
                messages.error(request, str(error))


def _stage(request, pk: int, order: int) -> Stage:
    return get_object_or_404(selectors.stage_list(user=request.user), program_id=pk, order=order)


def _stage_context(request, stage: Stage, active: str) -> dict:
    user = request.user
    program = stage.program
    return {
        "stage": stage,
        "program": program,
        "stages": list(program.stages.order_by("order")),
        "active": active,
        "can_configure": can_configure_stage(user, program),
        "can_assign": can_see_assignments(user, program),
        "can_preview": can_preview(user, program),
        "can_publish": can_publish(user, program),
        "is_office": is_office(user),
    }


# =============================================================================================
# The office's and the partner's overview
# =============================================================================================


@login_required
def selection_home(request):
    """The programmes whose selection the user takes part in, stage by stage."""
    stages = list(selectors.stage_list(user=request.user))
    if not stages and not (is_office(request.user) or membership_of(request.user)):
        raise Http404
    programs: dict[int, dict] = {}
    for stage in stages:
        entry = programs.setdefault(stage.program_id, {"program": stage.program, "stages": []})
        entry["stages"].append((stage, selectors.stage_overview(stage)))
    return render(
        request,
        "training/selection/home.html",
        {
            "programs": list(programs.values()),
            "queue_count": selectors.reviewer_queue(user=request.user).count(),
        },
    )


@login_required
def stage_detail(request, pk: int, order: int):
    stage = _stage(request, pk, order)
    context = _stage_context(request, stage, "overview")
    context["overview"] = selectors.stage_overview(stage)
    context["decision_counts"] = [
        (d, Decision(d).label, n) for d, n in context["overview"]["decisions"].items() if n
    ]
    context["my_queue"] = selectors.reviewer_queue(user=request.user, stage=stage).count()
    if context["can_configure"] or context["can_assign"]:
        context["history"] = activity_for(target=stage)[:20]
    return render(request, "training/selection/stage_detail.html", context)


@login_required
def stage_settings(request, pk: int, order: int):
    stage = _stage(request, pk, order)
    program = stage.program
    if not can_configure_stage(request.user, program):
        raise Http404
    config = services.stage_settings_get(stage)
    criteria = services.rubric_ensure_default(stage=stage)
    tracks = list(program.tracks.all())
    form = StageSettingsForm(
        request.POST if request.POST.get("part") == "settings" else None,
        initial=StageSettingsForm.initial_from(config),
        tracks=tracks,
    )
    formset = CriterionFormSet(
        request.POST if request.POST.get("part") == "rubric" else None,
        initial=[
            {
                "key": c.key,
                "label_id": c.label_id,
                "label_en": c.label_en,
                "description": c.description,
                "scale_min": c.scale_min,
                "scale_max": c.scale_max,
                "weight": c.weight,
                "counted": c.counted,
                "source": c.source,
            }
            for c in criteria
        ],
        prefix="criteria",
    )
    if request.method == "POST" and request.POST.get("part") == "settings" and form.is_valid():
        data = {
            k: v
            for k, v in form.cleaned_data.items()
            if not k.startswith(("tie_breaker_", "track_"))
        }
        data["track_seats"] = form.cleaned_data["track_seats"]
        try:
            services.stage_settings_update(stage=stage, actor=request.user, data=data)
        except ApplicationError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("The stage's settings have been saved."))
            return redirect("training:selection_settings", pk=pk, order=order)
    if request.method == "POST" and request.POST.get("part") == "rubric" and formset.is_valid():
        rows = [
            f.cleaned_data
            for f in formset.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        try:
            services.rubric_update(stage=stage, actor=request.user, criteria=rows)
        except ApplicationError as exc:
            errors = [str(e) for errs in exc.field_errors.values() for e in errs] or [
                str(exc.message)
            ]
            formset._non_form_errors = formset.error_class(errors)
        else:
            messages.success(request, _("The rubric has been saved."))
            return redirect("training:selection_settings", pk=pk, order=order)
    context = _stage_context(request, stage, "settings")
    context.update(
        {
            "form": form,
            "formset": formset,
            "locked": stage.reviews.filter(status=ReviewStatus.SUBMITTED).exists(),
        }
    )
    return render(request, "training/selection/stage_settings.html", context)


@login_required
def stage_assignments(request, pk: int, order: int):
    stage = _stage(request, pk, order)
    program = stage.program
    if not can_see_assignments(request.user, program):
        raise Http404
    config = services.stage_settings_get(stage)
    people = list(reviewer_pool(program))
    table = selectors.assignment_table(stage)
    applications = table["applications"]
    action = request.POST.get("action")
    auto_form = AutoAssignForm(
        request.POST if action == "auto" else None,
        people=people,
        initial={
            "reviewers_per_application": config.reviewers_per_application,
            "reviewers": [str(p.pk) for p in services_default_reviewers(program)],
        },
    )
    bulk_form = BulkAssignForm(
        request.POST if action == "bulk" else None, applications=applications, people=people
    )
    conflict_form = ConflictForm(
        request.POST if action == "conflict" else None, applications=applications, people=people
    )
    if request.method == "POST":
        if not can_assign(request.user, program):
            raise Http404
        try:
            if action == "auto" and auto_form.is_valid():
                result = services.assignments_auto(
                    stage=stage,
                    actor=request.user,
                    reviewers=auto_form.cleaned_data["reviewers"],
                    per_application=auto_form.cleaned_data["reviewers_per_application"],
                )
                messages.success(
                    request,
                    _("%(n)s assignments made.") % {"n": result["created"]},
                )
                if result["short"]:
                    messages.warning(
                        request,
                        _(
                            "%(n)s applications could not get all their reviewers (conflicts or "
                            "too few reviewers)."
                        )
                        % {"n": len(result["short"])},
                    )
                return redirect(request.path)
            if action == "bulk" and bulk_form.is_valid():
                result = services.assignments_bulk(
                    stage=stage,
                    actor=request.user,
                    applications=bulk_form.cleaned_data["ids"],
                    reviewers=bulk_form.cleaned_data["reviewers"],
                )
                messages.success(
                    request,
                    _("%(created)s assignments made, %(skipped)s skipped.") % result,
                )
                return redirect(request.path)
            if action == "remove":
                review = get_object_or_404(Review, pk=request.POST.get("review"), stage=stage)
                services.assignment_remove(review=review, actor=request.user)
                messages.success(request, _("The assignment has been removed."))
                return redirect(request.path)
            if action == "conflict" and conflict_form.is_valid():
                application = conflict_form.cleaned_data["application"]
                services.conflict_declare(
                    program=program,
                    reviewer=conflict_form.cleaned_data["reviewer"],
                    enterprise=application.enterprise,
                    actor=request.user,
                    reason=conflict_form.cleaned_data["reason"],
                )
                messages.success(request, _("The conflict of interest has been recorded."))
                return redirect(request.path)
        except ApplicationError as exc:
            _messages_from(request, exc)
            return redirect(request.path)
        if action == "bulk" and bulk_form.errors:
            for errors in bulk_form.errors.values():
                for error in errors:
                    messages.error(request, error)
    context = _stage_context(request, stage, "assignments")
    context.update(
        {
            "config": config,
            "table": table,
            "page": _page(request, applications, per_page=50),
            "auto_form": auto_form,
            "bulk_form": bulk_form,
            "conflict_form": conflict_form,
            "people": people,
            "may_assign": can_assign(request.user, program),
            "published": stage.selection_runs.filter(status=RunStatus.PUBLISHED).exists(),
        }
    )
    return render(request, "training/selection/stage_assignments.html", context)


def services_default_reviewers(program):
    from .permissions import default_auto_reviewers

    return default_auto_reviewers(program)


@login_required
def stage_selection(request, pk: int, order: int):
    """The preview: computed decisions with scores, ranks, tracks and the rule that decided;
    recompute with other parameters; adjust one applicant by hand with a reason."""
    stage = _stage(request, pk, order)
    program = stage.program
    if not can_preview(request.user, program):
        raise Http404
    config = services.stage_settings_get(stage)
    published = stage.selection_runs.filter(status=RunStatus.PUBLISHED).first()
    if published is not None:
        return redirect("training:selection_run", run_id=published.pk)
    action = request.POST.get("action")
    current = stage.selection_runs.filter(status=RunStatus.PREVIEW).first()
    initial = {
        "seed": current.seed if current else stage.pk,
        "waitlist_length": config.waitlist_length,
        "use_track_seats": config.use_track_seats,
        "women_min_percent": config.women_min_percent,
    }
    if current:
        initial["waitlist_length"] = current.params.get("waitlist_length", 0)
        initial["use_track_seats"] = current.params.get("track_seats") is not None
        initial["women_min_percent"] = round(100 * current.params.get("women_min_share", 0))
    breakers = current.params.get("tie_breakers") if current else config.tie_breakers
    for i, breaker in enumerate(breakers or [], 1):
        initial[f"tie_breaker_{i}"] = breaker
    form = PreviewForm(request.POST if action == "compute" else None, initial=initial)
    tracks = list(program.tracks.all())
    adjust_form = AdjustForm(request.POST if action == "adjust" else None, tracks=tracks)
    if request.method == "POST":
        try:
            if action == "compute" and form.is_valid():
                services.selection_preview(
                    stage=stage,
                    actor=request.user,
                    seed=form.cleaned_data["seed"],
                    params=form.params(),
                )
                messages.success(request, _("The preview has been computed."))
                return redirect(request.path)
            if action == "lottery":
                services.selection_preview(
                    stage=stage, actor=request.user, seed=services.random_seed(), params=None
                )
                messages.success(request, _("The preview has been computed with a new seed."))
                return redirect(request.path)
            if action == "adjust" and adjust_form.is_valid():
                data = adjust_form.cleaned_data
                application = get_object_or_404(
                    Application, pk=data["application"], program=program
                )
                track = program.tracks.filter(pk=data["track"]).first() if data["track"] else None
                services.selection_adjust(
                    stage=stage,
                    actor=request.user,
                    application=application,
                    decision=data["decision"],
                    track=track,
                    reason=data["reason"],
                )
                messages.success(request, _("The decision has been adjusted."))
                return redirect(f"{request.path}#app-{application.pk}")
        except ApplicationError as exc:
            _messages_from(request, exc)
            return redirect(request.path)
        if action == "adjust":
            for errors in adjust_form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect(request.path)
    run = current or selectors.selection_current(stage)
    rows = selectors.run_rows(run)
    decision = request.GET.get("decision")
    shown = [r for r in rows if not decision or r["decision"] == decision]
    context = _stage_context(request, stage, "selection")
    context.update(
        {
            "run": run,
            "staged": current is not None,
            "rows": shown,
            "page": _page(request, shown, per_page=50),
            "counts": selectors.run_counts(run),
            "form": form,
            "tracks": tracks,
            "decision_filter": decision or "",
            "decision_choices": [
                (Decision.SELECTED, Decision.SELECTED.label),
                (Decision.WAITLISTED, Decision.WAITLISTED.label),
                (Decision.NOT_SELECTED, Decision.NOT_SELECTED.label),
            ],
            "problems": services.check_results(run.results, run.params),
        }
    )
    return render(request, "training/selection/stage_selection.html", context)


@login_required
def stage_publish(request, pk: int, order: int):
    """The confirmation step: publishing cannot be undone."""
    stage = _stage(request, pk, order)
    if not can_preview(request.user, stage.program):
        raise Http404
    if not can_publish(request.user, stage.program):
        raise Http404
    current = stage.selection_runs.filter(status=RunStatus.PREVIEW).first()
    published = stage.selection_runs.filter(status=RunStatus.PUBLISHED).first()
    if published is not None:
        return redirect("training:selection_run", run_id=published.pk)
    if current is None:
        messages.info(request, _("Compute the preview first and check it."))
        return redirect("training:selection_preview", pk=pk, order=order)
    if request.method == "POST":
        try:
            run = services.selection_publish(stage=stage, actor=request.user)
        except ApplicationError as exc:
            _messages_from(request, exc)
            return redirect("training:selection_preview", pk=pk, order=order)
        messages.success(
            request,
            _("The decisions have been published; every applicant is being notified."),
        )
        return redirect("training:selection_run", run_id=run.pk)
    context = _stage_context(request, stage, "selection")
    context.update({"run": current, "counts": selectors.run_counts(current)})
    return render(request, "training/selection/stage_publish.html", context)


@login_required
def run_detail(request, run_id: int):
    """A selection run explains every decision: the parameters, the seed, the rule that decided
    for each applicant; and it can be computed again to the same result."""
    run = get_object_or_404(selectors.run_list(user=request.user), pk=run_id)
    stage = run.stage
    rerun = None
    if request.method == "POST" and request.POST.get("action") == "rerun":
        rerun = services.selection_rerun(run)
    rows = selectors.run_rows(run)
    decisions = {}
    if run.status == RunStatus.PUBLISHED:
        decisions = {d.application_id: d for d in selectors.stage_decisions(stage)}
    for row in rows:
        row["now"] = decisions.get(row["application"])
    context = _stage_context(request, stage, "run")
    context.update(
        {
            "run": run,
            "rows": rows,
            "counts": selectors.run_counts(run),
            "rerun": rerun,
            "reason_labels": dict(services.Reason.choices),
        }
    )
    return render(request, "training/selection/run_detail.html", context)


@login_required
def stage_decisions(request, pk: int, order: int):
    """The published decisions and what became of the offers."""
    stage = _stage(request, pk, order)
    decisions = selectors.decision_list(user=request.user).filter(stage=stage).order_by("rank")
    if not (
        can_preview(request.user, stage.program) or can_see_assignments(request.user, stage.program)
    ):
        raise Http404
    status = request.GET.get("status")
    if status in Decision.values:
        decisions = decisions.filter(status=status)
    counts = selectors.stage_overview(stage)["decisions"]
    context = _stage_context(request, stage, "decisions")
    context.update(
        {
            "page": _page(request, decisions, per_page=50),
            "counts": [(d, Decision(d).label, n) for d, n in counts.items() if n],
            "status_filter": status or "",
        }
    )
    return render(request, "training/selection/stage_decisions.html", context)


# =============================================================================================
# The reviewer
# =============================================================================================


def _review_for(request, review_id: int) -> Review:
    review = get_object_or_404(
        selectors.review_list(user=request.user).select_related("application__enterprise"),
        pk=review_id,
    )
    return review


@login_required
def review_queue(request):
    queue = list(selectors.reviewer_queue(user=request.user))
    done = selectors.reviewer_done(user=request.user)
    if (
        not queue
        and not done.exists()
        and not (is_office(request.user) or membership_of(request.user))
    ):
        raise Http404
    for review in queue:
        review.open_now = services.stage_settings_get(review.stage).review_is_open()
    return render(
        request,
        "training/selection/review_queue.html",
        {"queue": queue, "done": _page(request, done, per_page=25)},
    )


@login_required
def review_next(request):
    review = selectors.next_review(user=request.user)
    if review is None:
        messages.success(request, _("Nothing waits for your review. Thank you!"))
        return redirect("training:review_queue")
    return redirect("training:review_detail", review_id=review.pk)


@login_required
def review_detail(request, review_id: int):
    """Score the application on the stage's rubric; "save and next" goes to the next in the
    queue. Read-only after the deadline, and for anyone but its reviewer."""
    review = _review_for(request, review_id)
    user = request.user
    mine = review.reviewer_id == user.pk
    config = services.stage_settings_get(review.stage)
    published = review.stage.selection_runs.filter(status=RunStatus.PUBLISHED).exists()
    editable = (
        mine
        and config.review_is_open()
        and not published
        and review.status != ReviewStatus.CONFLICT
    )
    context = selectors.review_page(review=review, user=user)
    form = ReviewForm(
        request.POST if request.method == "POST" else None,
        criteria=context["criteria"],
        review=review if request.method != "POST" else None,
        disabled=not editable,
        initial=None,
    )
    if request.method == "POST":
        if not mine:
            raise Http404
        if not editable:
            return _closed(request, review)
        action = request.POST.get("action", "submit")
        if form.is_valid():
            try:
                services.review_save(
                    review=review,
                    actor=user,
                    scores=form.scores(),
                    comment=form.cleaned_data["comment"],
                    submit=action != "draft",
                )
            except ApplicationError as exc:
                for key, errors in exc.field_errors.items():
                    field = f"c_{key}" if f"c_{key}" in form.fields else key
                    for error in errors:
                        form.add_error(field if field in form.fields else None, str(error))
            else:
                if action == "draft":
                    messages.success(request, _("Your draft has been saved."))
                    return redirect("training:review_detail", review_id=review.pk)
                messages.success(request, _("Your review has been saved."))
                if action == "next":
                    following = selectors.next_review(user=user, exclude=review.pk)
                    if following is not None:
                        return redirect("training:review_detail", review_id=following.pk)
                    messages.info(request, _("That was the last one in your queue."))
                    return redirect("training:review_queue")
                return redirect("training:review_detail", review_id=review.pk)
    training_services.data_access_record(
        user=user,
        applications=[review.application],
        channel=AccessChannel.PAGE_DETAIL,
        path=request.get_full_path(),
    )
    context.update(
        {
            "review": review,
            "form": form,
            "mine": mine,
            "editable": editable,
            "published": published,
            "queue_left": selectors.reviewer_queue(user=user).exclude(pk=review.pk).count()
            if mine
            else 0,
        }
    )
    return render(request, "training/selection/review_detail.html", context)


def _closed(request, review):
    messages.error(request, _("This review can no longer be changed."))
    return redirect("training:review_detail", review_id=review.pk)


@login_required
def review_conflict(request, review_id: int):
    review = _review_for(request, review_id)
    if review.reviewer_id != request.user.pk:
        raise Http404
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_declare_conflict(
                review=review, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ApplicationError as exc:
            form_error(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Your conflict of interest has been recorded; the application goes to someone else."
                ),
            )
            return redirect("training:review_next")
    return render(
        request, "training/selection/review_conflict.html", {"review": review, "form": form}
    )


@login_required
@require_POST
def review_abstain(request, review_id: int):
    review = _review_for(request, review_id)
    if review.reviewer_id != request.user.pk:
        raise Http404
    form = OptionalReasonForm(request.POST)
    form.is_valid()
    try:
        services.review_abstain(
            review=review, actor=request.user, reason=form.cleaned_data.get("reason", "")
        )
    except ApplicationError as exc:
        _messages_from(request, exc)
        return redirect("training:review_detail", review_id=review.pk)
    messages.success(request, _("You abstained from this review."))
    return redirect("training:review_next")


# =============================================================================================
# The applicant
# =============================================================================================


@login_required
def selection_mine(request):
    applications = list(selectors.owner_decisions(user=request.user))
    return render(
        request,
        "training/selection/mine.html",
        {"applications": applications, "offers": list(selectors.open_offers(user=request.user))},
    )


def _application_for(request, pk: int) -> Application:
    return get_object_or_404(training_selectors.application_list(user=request.user), pk=pk)


@login_required
def applicant_selection(request, pk: int):
    """An application's selection, stage by stage: status, score band, rank band, reason and the
    open offer. The owner (and the office) only."""
    application = _application_for(request, pk)
    owner = can_respond(request.user, application)
    if not (owner or is_office(request.user)):
        raise Http404
    rows = selectors.applicant_results(application=application)
    return render(
        request,
        "training/selection/applicant.html",
        {
            "application": application,
            "program": application.program,
            "rows": rows,
            "is_owner": owner,
            "offer": services.open_offer(application),
        },
    )


@login_required
def applicant_respond(request, pk: int):
    """Accept or decline the open offer, after a confirmation step."""
    application = _application_for(request, pk)
    if not can_respond(request.user, application):
        raise Http404
    offer = services.open_offer(application)
    answer = request.POST.get("answer") or request.GET.get("answer")
    if answer not in ("accept", "decline"):
        return redirect("training:selection_mine_detail", pk=pk)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        try:
            services.offer_respond(
                application=application, actor=request.user, accept=answer == "accept"
            )
        except ApplicationError as exc:
            _messages_from(request, exc)
        else:
            if answer == "accept":
                messages.success(request, _("You accepted the offer. Welcome to the programme!"))
            else:
                messages.success(request, _("You declined the offer. Thank you for telling us."))
        return redirect("training:selection_mine_detail", pk=pk)
    if offer is None:
        messages.info(request, _("There is no open offer to respond to."))
        return redirect("training:selection_mine_detail", pk=pk)
    return render(
        request,
        "training/selection/respond.html",
        {"application": application, "offer": offer, "answer": answer},
    )
