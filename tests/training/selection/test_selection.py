"""Scores, preview, adjustments, publish (atomic, reproducible, one notification per decision),
offers, the waitlist, and the second stage — through the services."""

from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from ikm_portal.core.exceptions import ApplicationError, CapacityFull, InvalidTransition
from ikm_portal.notifications.models import Notification
from tests.factories import ReviewFactory, UserFactory
from training.choices import ApplicationStatus
from training.models import Application
from training.selection import services
from training.selection.choices import DECISION_TRANSITIONS, Decision, RunStatus
from training.selection.models import SelectionRun, StageDecision

from .conftest import scores_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(stage1, reviewers, make_applicants, review_all):
    """`scored(n, levels=…)`: n applicants in review, each reviewed by two reviewers at the
    given level (default: the first applicant best), submitted through the service."""

    def make(n, levels=None, **kw):
        applications = make_applicants(n, **kw)
        for i, a in enumerate(applications):
            level = levels[i] if levels else 5 - (i * 4) // max(n, 1)
            reviews = [
                ReviewFactory(stage=stage1, application=a, reviewer=reviewers[(i + k) % 4])
                for k in range(2)
            ]
            review_all(reviews, lambda r, level=level: level)
        return applications

    return make


def small_stage(stage, seats, waitlist=0, track_seats=None):
    stage.seats = seats
    stage.save(update_fields=["seats"])
    config = services.stage_settings_get(stage)
    config.waitlist_length = waitlist
    config.use_track_seats = track_seats is not None
    config.track_seats = track_seats or {}
    config.save()


def notifications_of(application, channel="in_app"):
    return list(
        Notification.objects.filter(
            recipient=application.enterprise.owner,
            channel=channel,
            template__startswith="selection_",
        )
        .order_by("pk")
        .values_list("template", flat=True)
    )


# --- Scores and preview --------------------------------------------------------------------------


def test_stage_summaries_mean_count_spread_flag(stage1, reviewers, make_applicants):
    (application,) = make_applicants(1)
    for reviewer, level in zip(reviewers[:3], (5, 1, 3), strict=True):
        review = ReviewFactory(stage=stage1, application=application, reviewer=reviewer)
        services.review_save(
            review=review, actor=reviewer, scores=scores_for(level), comment="Dinilai."
        )
    summary = services.stage_summaries(stage1)[application.pk]
    assert (summary.score, summary.count, summary.spread, summary.flagged) == (
        Decimal("50.00"),
        3,
        Decimal("100.00"),
        True,
    )


def test_preview_ranks_by_score_with_track_quota_and_waitlist(stage1, staff, tracks, scored):
    applications = scored(6, levels=[5, 4, 4, 3, 2, 1], choices=[tracks[0], tracks[1]])
    small_stage(
        stage1, seats=4, waitlist=1, track_seats={str(tracks[0].pk): 2, str(tracks[1].pk): 1}
    )
    run = services.selection_preview(stage=stage1, actor=staff, seed=7)
    by_app = {r["application"]: r for r in run.results}
    assert [
        (by_app[a.pk]["decision"], by_app[a.pk]["track"], by_app[a.pk]["reason"])
        for a in applications
    ] == [
        (Decision.SELECTED, tracks[0].pk, "merit"),
        (Decision.SELECTED, tracks[0].pk, "merit"),
        (Decision.SELECTED, tracks[1].pk, "merit"),
        # The tracks are full (a fourth seat stays empty); the next may wait for a freed one.
        (Decision.WAITLISTED, tracks[0].pk, "waitlist"),
        (Decision.NOT_SELECTED, None, "no_track_seat"),
        (Decision.NOT_SELECTED, None, "no_track_seat"),
    ]
    assert (run.status, run.seed, run.params["seats"], run.params["waitlist_length"]) == (
        RunStatus.PREVIEW,
        7,
        4,
        1,
    )
    # Applicants see nothing yet.
    assert {a.status for a in Application.objects.filter(pk__in=[a.pk for a in applications])} == {
        ApplicationStatus.IN_REVIEW
    }
    assert StageDecision.objects.count() == 0


def test_preview_again_replaces_the_staged_one(stage1, staff, scored):
    scored(3)
    first = services.selection_preview(stage=stage1, actor=staff)
    second = services.selection_preview(stage=stage1, actor=staff, seed=99)
    first.refresh_from_db()
    assert (first.status, second.status, second.seed) == (
        RunStatus.DISCARDED,
        RunStatus.PREVIEW,
        99,
    )
    assert SelectionRun.objects.filter(stage=stage1, status=RunStatus.PREVIEW).count() == 1


def test_preview_refused_to_partner_manager_without_co_management(stage1, program_manager, scored):
    scored(2)
    with pytest.raises(InvalidTransition):
        services.selection_preview(stage=stage1, actor=program_manager)
    program = stage1.program
    program.partner_can_manage = True
    program.save(update_fields=["partner_can_manage"])
    assert services.selection_preview(stage=stage1, actor=program_manager).status == "preview"


def test_preview_params_override_and_bad_params(stage1, staff, scored):
    scored(3)
    run = services.selection_preview(
        stage=stage1,
        actor=staff,
        params={"waitlist_length": 2, "tie_breakers": ["lottery"], "women_min_share": 0.5},
    )
    assert (
        run.params["waitlist_length"],
        run.params["tie_breakers"],
        run.params["women_min_share"],
    ) == (
        2,
        ["lottery"],
        0.5,
    )
    with pytest.raises(ApplicationError) as exc:
        services.selection_preview(stage=stage1, actor=staff, params={"seats": 500})
    assert exc.value.field_errors == {"params": ["Unknown parameters: seats."]}


def test_adjustment_by_hand_with_reason_and_never_over_the_seats(stage1, staff, scored):
    applications = scored(4, levels=[5, 4, 3, 2])
    small_stage(stage1, seats=2, waitlist=1)
    services.selection_preview(stage=stage1, actor=staff)
    with pytest.raises(ApplicationError) as exc:
        services.selection_adjust(
            stage=stage1,
            actor=staff,
            application=applications[3],
            decision=Decision.SELECTED,
            reason="Sentra prioritas.",
        )
    assert str(exc.value.message) == "3 selected for 2 seats: move someone to the waitlist first."
    with pytest.raises(ApplicationError) as exc:
        services.selection_adjust(
            stage=stage1,
            actor=staff,
            application=applications[1],
            decision="not_selected",
            reason="",
        )
    assert list(exc.value.field_errors) == ["reason"]
    services.selection_adjust(
        stage=stage1,
        actor=staff,
        application=applications[1],
        decision=Decision.NOT_SELECTED,
        reason="Sudah mengikuti program serupa tahun lalu.",
    )
    run = services.selection_adjust(
        stage=stage1,
        actor=staff,
        application=applications[3],
        decision=Decision.SELECTED,
        reason="Sentra prioritas.",
    )
    rows = {r["application"]: r for r in run.results}
    assert [(rows[a.pk]["decision"], rows[a.pk]["reason"]) for a in applications] == [
        (Decision.SELECTED, "merit"),
        (Decision.NOT_SELECTED, "manual"),
        (Decision.WAITLISTED, "waitlist"),
        (Decision.SELECTED, "manual"),
    ]
    assert rows[applications[3].pk]["note"] == "Sentra prioritas."
    assert rows[applications[3].pk]["computed_decision"] == Decision.NOT_SELECTED
    # Back to the computed decision.
    run = services.selection_adjust(
        stage=stage1, actor=staff, application=applications[1], decision="auto", reason=""
    )
    assert {r["application"]: r["decision"] for r in run.results}[applications[1].pk] == (
        Decision.SELECTED
    )
    # Removing an adjustment is always possible; the preview then says what is wrong, and
    # publishing waits until it is fixed.
    assert services.check_results(run.results, run.params) == [
        "3 selected for 2 seats: move someone to the waitlist first."
    ]
    with pytest.raises(InvalidTransition):
        services.selection_publish(stage=stage1, actor=staff)


# --- Publish -------------------------------------------------------------------------------------


def test_publish_applies_every_decision_and_notifies_each_applicant_once(
    stage1, staff, scored, django_capture_on_commit_callbacks
):
    applications = scored(5, levels=[5, 4, 3, 2, 1])
    small_stage(stage1, seats=2, waitlist=2)
    services.selection_preview(stage=stage1, actor=staff)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.selection_publish(stage=stage1, actor=staff)
    run.refresh_from_db()
    assert (run.status, run.published_by) == (RunStatus.PUBLISHED, staff)
    statuses = [Application.objects.get(pk=a.pk).status for a in applications]
    assert statuses == [
        ApplicationStatus.SELECTED,
        ApplicationStatus.SELECTED,
        ApplicationStatus.WAITLISTED,
        ApplicationStatus.WAITLISTED,
        ApplicationStatus.NOT_SELECTED,
    ]
    decisions = {d.application_id: d for d in StageDecision.objects.filter(stage=stage1)}
    assert [decisions[a.pk].waitlist_position for a in applications] == [None, None, 1, 2, None]
    assert decisions[applications[0].pk].response_deadline is not None
    assert [notifications_of(a) for a in applications] == [
        ["selection_selected"],
        ["selection_selected"],
        ["selection_waitlisted"],
        ["selection_waitlisted"],
        ["selection_not_selected"],
    ]
    # Only the selection's message: issue 5's generic status message is not sent on top.
    assert not Notification.objects.filter(template__startswith="application_").exists()
    # E-mail too (mandatory), and the not-selected message names the band and the reason.
    mail = Notification.objects.get(
        recipient=applications[4].enterprise.owner,
        channel="email",
        template="selection_not_selected",
    )
    assert mail.context["score_band"] == "0–9"
    assert mail.context["reason"] != ""
    # Publishing again is refused, and sends nothing more.
    with pytest.raises(services.AlreadyPublished):
        services.selection_publish(stage=stage1, actor=staff)
    assert (
        Notification.objects.filter(template__startswith="selection_", channel="in_app")
        .exclude(template__startswith="selection_review")
        .count()
        == 5
    )


def test_publish_by_partner_manager_refused(stage1, program_manager, scored):
    scored(2)
    stage1.program.partner_can_manage = True
    stage1.program.save()
    with pytest.raises(InvalidTransition):
        services.selection_publish(stage=stage1, actor=program_manager)


def test_publish_failure_midway_publishes_nothing(stage1, staff, scored, monkeypatch):
    applications = scored(4)
    small_stage(stage1, seats=2, waitlist=1)
    services.selection_preview(stage=stage1, actor=staff)
    calls = {"n": 0}
    real = services._decision_notification

    def fail_on_third(decision, application, *, template):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("the mail server caught fire")
        return real(decision, application, template=template)

    # The third applicant's message fails after the decisions and transitions were written.
    monkeypatch.setattr(services, "_decision_notification", fail_on_third)
    with pytest.raises(RuntimeError):
        services.selection_publish(stage=stage1, actor=staff)
    assert StageDecision.objects.count() == 0
    assert {Application.objects.get(pk=a.pk).status for a in applications} == {
        ApplicationStatus.IN_REVIEW
    }
    assert SelectionRun.objects.get(stage=stage1).status == RunStatus.PREVIEW
    assert Notification.objects.filter(template__startswith="selection_s").count() == 0


def test_publish_refuses_a_stale_preview(stage1, staff, scored, reviewers):
    applications = scored(3)
    services.selection_preview(stage=stage1, actor=staff)
    extra = ReviewFactory(stage=stage1, application=applications[2], reviewer=reviewers[0])
    services.review_save(review=extra, actor=reviewers[0], scores=scores_for(5), comment="Bagus.")
    with pytest.raises(services.StalePreview):
        services.selection_publish(stage=stage1, actor=staff)
    services.selection_preview(stage=stage1, actor=staff)
    assert services.selection_publish(stage=stage1, actor=staff).status == RunStatus.PUBLISHED


def test_publish_without_preview_computes_one(stage1, staff, scored):
    scored(3)
    run = services.selection_publish(stage=stage1, actor=staff)
    assert (run.status, run.seed) == (RunStatus.PUBLISHED, stage1.pk)


def test_rerun_reproduces_the_published_result_with_lottery_and_adjustment(stage1, staff, scored):
    applications = scored(8, levels=[3] * 8)  # all equal: the lottery decides
    small_stage(stage1, seats=3, waitlist=2)
    services.selection_preview(
        stage=stage1, actor=staff, seed=2017, params={"tie_breakers": ["lottery"]}
    )
    services.selection_adjust(
        stage=stage1,
        actor=staff,
        application=applications[0],
        decision=Decision.WAITLISTED,
        reason="Menunggu kelengkapan NIB.",
    )
    run = services.selection_publish(stage=stage1, actor=staff)
    run.refresh_from_db()
    again = services.selection_rerun(run)
    assert again["identical"] is True
    assert again["differences"] == []
    # Another seed would have drawn another order.
    other = services.compute_results(run.candidates, run.params, 2018, run.adjustments)[0]
    assert [r["application"] for r in other] != [r["application"] for r in run.results]


# --- Offers --------------------------------------------------------------------------------------


@pytest.fixture
def published(stage1, staff, scored, tracks):
    """Six applicants on tracks 0 and 1; two seats (one per track), a waitlist of three."""

    def make():
        applications = scored(6, levels=[5, 5, 4, 4, 3, 2], choices=[tracks[0], tracks[1]])
        small_stage(
            stage1, seats=2, waitlist=3, track_seats={str(tracks[0].pk): 1, str(tracks[1].pk): 1}
        )
        services.selection_publish(stage=stage1, actor=staff)
        return applications

    return make


def decision_of(application, stage):
    return StageDecision.objects.get(application=application, stage=stage)


def test_accept_takes_the_seat_and_calls_the_participation_hook(stage1, published):
    applications = published()
    owner = applications[0].enterprise.owner
    decision = services.offer_respond(application=applications[0], actor=owner, accept=True)
    assert decision.status == Decision.ACCEPTED
    assert Application.objects.get(pk=applications[0].pk).status == ApplicationStatus.ACCEPTED
    # The same answer again changes nothing; the other answer is refused.
    assert services.offer_respond(application=applications[0], actor=owner, accept=True).pk == (
        decision.pk
    )
    with pytest.raises(InvalidTransition):
        services.offer_respond(application=applications[0], actor=owner, accept=False)


def test_respond_only_by_the_owner(stage1, published, staff, other_owner):
    applications = published()
    for actor in (staff, other_owner):
        with pytest.raises(ApplicationError):
            services.offer_respond(application=applications[0], actor=actor, accept=True)


def test_decline_promotes_the_next_on_the_waitlist_within_the_track(
    stage1, published, tracks, django_capture_on_commit_callbacks
):
    applications = published()
    first, _second, w1, w2, _w3, _last = applications
    assert [decision_of(a, stage1).status for a in applications] == [
        "selected",
        "selected",
        "waitlisted",
        "waitlisted",
        "waitlisted",
        "not_selected",
    ]
    with django_capture_on_commit_callbacks(execute=True):
        services.offer_respond(application=first, actor=first.enterprise.owner, accept=False)
    promoted = decision_of(w1, stage1)
    assert (promoted.status, promoted.track_id, promoted.reason) == (
        Decision.SELECTED,
        decision_of(first, stage1).track_id,
        "promoted",
    )
    assert promoted.response_deadline > timezone.now()
    assert Application.objects.get(pk=w1.pk).status == ApplicationStatus.SELECTED
    assert Application.objects.get(pk=first.pk).status == ApplicationStatus.DECLINED
    assert notifications_of(w1) == ["selection_waitlisted", "selection_promoted"]
    assert notifications_of(first) == ["selection_selected"]
    assert decision_of(w2, stage1).status == Decision.WAITLISTED


def test_promotion_skips_a_waitlisted_applicant_whose_tracks_are_full(
    stage1, staff, scored, tracks
):
    applications = scored(4, levels=[5, 5, 4, 4], choices=[tracks[0]])
    applications[3].track_choices.update(track=tracks[1])
    small_stage(
        stage1, seats=2, waitlist=2, track_seats={str(tracks[0].pk): 1, str(tracks[1].pk): 1}
    )
    services.selection_publish(stage=stage1, actor=staff)
    first, second, third, fourth = applications
    # first takes track 0; second (track 0 only) and third wait; fourth takes track 1.
    assert [decision_of(a, stage1).status for a in applications] == [
        "selected",
        "waitlisted",
        "waitlisted",
        "selected",
    ]
    services.offer_respond(application=fourth, actor=fourth.enterprise.owner, accept=False)
    # The free seat is in track 1: nobody waiting chose it.
    assert [decision_of(a, stage1).status for a in (second, third)] == ["waitlisted", "waitlisted"]
    services.offer_respond(application=first, actor=first.enterprise.owner, accept=False)
    assert [decision_of(a, stage1).status for a in (second, third)] == ["selected", "waitlisted"]


def test_lapse_at_the_deadline_promotes_and_notifies(stage1, published):
    applications = published()
    first, second, w1, _w2, _w3, _last = applications
    services.offer_respond(application=second, actor=second.enterprise.owner, accept=True)
    later = decision_of(first, stage1).response_deadline + timedelta(minutes=1)
    result = services.offers_lapse_due(now=later)
    assert result == {"lapsed": 1, "promoted": 1}
    assert decision_of(first, stage1).status == Decision.LAPSED
    assert Application.objects.get(pk=first.pk).status == ApplicationStatus.DECLINED
    assert decision_of(w1, stage1).status == Decision.SELECTED
    assert notifications_of(first) == ["selection_selected", "selection_lapsed"]
    # A second sweep finds nothing due.
    assert services.offers_lapse_due(now=later) == {"lapsed": 0, "promoted": 0}
    # An answer after the deadline is refused.
    with pytest.raises(InvalidTransition):
        services.offer_respond(
            application=w1,
            actor=w1.enterprise.owner,
            accept=True,
            now=decision_of(w1, stage1).response_deadline + timedelta(seconds=1),
        )


def test_accept_refused_when_the_seats_are_taken(stage1, published, tracks):
    applications = published()
    first, second = applications[:2]
    # An offer beyond the seats (e.g. one given by hand outside the system): the seat count
    # under the stage lock refuses it.
    services.offer_respond(application=second, actor=second.enterprise.owner, accept=True)
    stage1.seats = 1
    stage1.save(update_fields=["seats"])
    with pytest.raises(CapacityFull):
        services.offer_respond(application=first, actor=first.enterprise.owner, accept=True)
    assert decision_of(first, stage1).status == Decision.SELECTED


@pytest.mark.parametrize(
    ("source", "target"),
    [(s, t) for s in Decision.values for t in Decision.values if s != t],
)
def test_decision_transition_follows_the_table(source, target, stage1, staff, scored):
    (application,) = scored(1)
    run = services.selection_publish(stage=stage1, actor=staff)
    decision = StageDecision.objects.get(run=run)
    StageDecision.objects.filter(pk=decision.pk).update(status=source)
    if target in DECISION_TRANSITIONS[source]:
        # The application's own machine may refuse the mirror move; the decision table is what
        # this test walks, so the application is put where the decision says.
        from training.selection.choices import APPLICATION_STATUS_OF

        Application.objects.filter(pk=application.pk).update(status=APPLICATION_STATUS_OF[source])
        changed = services.decision_transition(decision=decision, to=target)
        assert changed.status == target
    else:
        with pytest.raises(InvalidTransition):
            services.decision_transition(decision=decision, to=target)
        decision.refresh_from_db()
        assert decision.status == source


# --- Stage 2 -------------------------------------------------------------------------------------


def test_stage_two_selects_among_stage_one_participants_with_its_own_rubric(
    stage1, stage2, staff, scored, reviewers, review_all
):
    applications = scored(4)
    small_stage(stage1, seats=3, waitlist=0)
    with pytest.raises(InvalidTransition):
        services.selection_preview(stage=stage2, actor=staff)  # stage 1 not published
    services.selection_publish(stage=stage1, actor=staff)
    accepted = applications[:2]
    for a in accepted:
        services.offer_respond(application=a, actor=a.enterprise.owner, accept=True)
    services.offer_respond(
        application=applications[2], actor=applications[2].enterprise.owner, accept=False
    )
    assert set(services.stage_pool(stage2)) == set(accepted)
    services.rubric_update(
        stage=stage2,
        actor=staff,
        criteria=[{"key": "kemajuan", "label_id": "Kemajuan setelah pelatihan", "weight": 1}],
    )
    result = services.assignments_auto(stage=stage2, actor=staff, per_application=1)
    assert result["created"] == 2
    for i, review in enumerate(stage2.reviews.all()):
        services.review_save(
            review=review, actor=review.reviewer, scores={"kemajuan": 5 - i}, comment="Maju."
        )
    small_stage(stage2, seats=1, waitlist=1)
    run = services.selection_publish(stage=stage2, actor=staff)
    assert Counter(r["decision"] for r in run.results) == {"selected": 1, "waitlisted": 1}
    # The application stays "accepted": the person is a participant of stage 1.
    assert {Application.objects.get(pk=a.pk).status for a in accepted} == {
        ApplicationStatus.ACCEPTED
    }
    winner = next(a for a in accepted if decision_of(a, stage2).status == Decision.SELECTED)
    decision = services.offer_respond(
        application=winner, actor=winner.enterprise.owner, accept=True
    )
    assert (decision.stage, decision.status) == (stage2, Decision.ACCEPTED)


def test_participant_enroll_hook_is_a_no_op_without_participation(stage1, published):
    applications = published()
    decision = decision_of(applications[0], stage1)
    assert services.participant_enroll_on_accept(decision=decision, actor=UserFactory()) is None


def test_attendance_criterion_only_from_the_second_stage(stage1, staff):
    with pytest.raises(ApplicationError) as exc:
        services.rubric_update(
            stage=stage1,
            actor=staff,
            criteria=[
                {"key": "mutu", "label_id": "Mutu", "weight": 1},
                {"key": "hadir", "label_id": "Kehadiran", "weight": 1, "source": "attendance"},
            ],
        )
    assert exc.value.field_errors["criteria"] == [
        "Criterion “hadir”: attendance exists only from the second stage on."
    ]


def test_stage_two_counts_stage_one_attendance_as_a_criterion(
    stage1, stage2, staff, scored, reviewers
):
    from tests.factories.participation import AttendanceFactory, SessionFactory
    from training.participation.models import Participant

    applications = scored(2, levels=[5, 5])
    small_stage(stage1, seats=2)
    services.selection_publish(stage=stage1, actor=staff)
    for a in applications:
        services.offer_respond(application=a, actor=a.enterprise.owner, accept=True)
    # Accepting enrolled them as participants of stage 1 (issue 7).
    participants = {p.application_id: p for p in Participant.objects.filter(stage=stage1)}
    assert set(participants) == {a.pk for a in applications}
    sessions = [SessionFactory(stage=stage1) for _ in range(4)]
    for session in sessions:  # the first attends all four sessions, the second one of them
        AttendanceFactory(session=session, participant=participants[applications[0].pk])
    AttendanceFactory(session=sessions[0], participant=participants[applications[1].pk])
    services.rubric_update(
        stage=stage2,
        actor=staff,
        criteria=[
            {
                "key": "kemajuan",
                "label_id": "Kemajuan",
                "scale_min": 1,
                "scale_max": 5,
                "weight": 1,
            },
            {
                "key": "kehadiran",
                "label_id": "Kehadiran tahap 1",
                "scale_min": 0,
                "scale_max": 10,
                "weight": 1,
                "source": "attendance",
                "counted": False,  # an automatic criterion always counts
            },
        ],
    )
    assert stage2.criteria.get(key="kehadiran").counted is True
    for a in applications:
        review = ReviewFactory(stage=stage2, application=a, reviewer=reviewers[0])
        with pytest.raises(ApplicationError) as exc:
            services.review_save(
                review=review,
                actor=reviewers[0],
                scores={"kemajuan": 3, "kehadiran": 10},
                comment="x",
            )
        assert exc.value.field_errors["kehadiran"] == ["This criterion is filled automatically."]
        saved = services.review_save(
            review=review, actor=reviewers[0], scores={"kemajuan": 3}, comment="Cukup maju."
        )
        assert saved.total == Decimal("50.00")  # the reviewer's own criteria
    summaries = services.stage_summaries(stage2)
    # (1 * 50 + 1 * 100) / 2 and (1 * 50 + 1 * 25) / 2
    assert summaries[applications[0].pk].score == Decimal("75.00")
    assert summaries[applications[1].pk].score == Decimal("37.50")
    candidates = {c["id"]: c for c in services.selection_candidates(stage2)}
    assert (
        candidates[applications[0].pk]["attendance"],
        candidates[applications[1].pk]["attendance"],
    ) == (
        100.0,
        25.0,
    )
