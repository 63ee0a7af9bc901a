"""The API contract of review and selection, and who may see and do what (anonymous, owner,
other owner, staff, partner of this programme, of another)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ikm_portal.datarights.models import AccessLog
from ikm_portal.notifications.models import Notification
from tests.factories import ApplicationFactory, PartnerMemberFactory, ProgramFactory, ReviewFactory
from training.choices import ApplicationStatus
from training.selection import services
from training.selection.choices import Decision, OthersScores, ReviewStatus
from training.selection.models import Review, StageDecision

from .conftest import scores_for

pytestmark = pytest.mark.django_db

REVIEW_CONTRACT = {"application", "stage", "scores", "comment", "conflict_of_interest", "abstain"}
RESULT_CONTRACT = {"application", "score", "rank", "decision", "track", "reason"}


@pytest.fixture
def setup(program, stage1, reviewers, make_applicants, owner, enterprise, tracks):
    """The owner's application and two others, in review; each with two reviewers: the
    owner's has reviewers 0 and 1, the others 1 and 2, and 2 and 3."""
    mine = ApplicationFactory(
        program=program,
        enterprise=enterprise,
        status=ApplicationStatus.IN_REVIEW,
        tracks=[tracks[0]],
    )
    others = make_applicants(2)
    applications = [mine, *others]
    for i, a in enumerate(applications):
        for k in range(2):
            ReviewFactory(stage=stage1, application=a, reviewer=reviewers[(i + k) % 4])
    return {"mine": mine, "others": others, "applications": applications}


def url(program, order=1, tail=""):
    return f"/api/v1/programs/{program.pk}/stages/{order}/{tail}"


# --- /api/v1/reviews/ ----------------------------------------------------------------------------


def test_api_reviewer_submits_a_review(api_as, program, setup, reviewers):
    application = setup["mine"]
    reviewer = reviewers[0]
    response = api_as(reviewer).post(
        "/api/v1/reviews/",
        {
            "application": application.pk,
            "stage": 1,
            "scores": scores_for(4),
            "comment": "Proses produksi bisa dihemat.",
            "conflict_of_interest": False,
            "abstain": False,
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    assert set(response.data) >= REVIEW_CONTRACT
    assert (response.data["status"], response.data["total"], response.data["stage"]) == (
        "submitted",
        75.0,
        1,
    )
    assert response.data["scores"] == scores_for(4)


def test_api_review_bad_input_gets_400_with_field_errors(api_as, setup, reviewers):
    application = setup["mine"]
    client = api_as(reviewers[0])
    response = client.post(
        "/api/v1/reviews/",
        {"application": application.pk, "stage": 1, "scores": {"komitmen": 9}, "comment": ""},
        format="json",
    )
    assert response.status_code == 400
    assert response.data["komitmen"] == ["Enter a score from 1 to 5."]
    assert response.data["potensi_efisiensi"] == ["Score this criterion."]
    # Reviewer 0 reviews the owner's application only.
    not_mine = client.post(
        "/api/v1/reviews/",
        {"application": setup["others"][0].pk, "stage": 1, "scores": scores_for(3), "comment": "x"},
        format="json",
    )
    assert not_mine.status_code == 400
    assert list(not_mine.data) == ["detail", "code", "application"]
    both = client.post(
        "/api/v1/reviews/",
        {
            "application": application.pk,
            "stage": 1,
            "conflict_of_interest": True,
            "abstain": True,
            "comment": "x",
        },
        format="json",
    )
    assert both.status_code == 400
    assert "abstain" in both.data


def test_api_draft_then_patch_to_submit(api_as, setup, reviewers):
    client = api_as(reviewers[0])
    created = client.post(
        "/api/v1/reviews/",
        {"application": setup["mine"].pk, "stage": 1, "scores": {"komitmen": 3}, "draft": True},
        format="json",
    )
    assert (created.status_code, created.data["status"]) == (201, "draft")
    patched = client.patch(
        f"/api/v1/reviews/{created.data['id']}/",
        {"scores": scores_for(2), "comment": "Cukup."},
        format="json",
    )
    assert (patched.status_code, patched.data["status"], patched.data["total"]) == (
        200,
        "submitted",
        25.0,
    )


def test_api_conflict_moves_the_assignment(api_as, setup, reviewers):
    application = setup["mine"]
    response = api_as(reviewers[0]).post(
        "/api/v1/reviews/",
        {
            "application": application.pk,
            "stage": 1,
            "conflict_of_interest": True,
            "comment": "Tetangga saya.",
        },
        format="json",
    )
    assert response.status_code == 201
    assert (response.data["conflict_of_interest"], response.data["status"]) == (True, "conflict")
    assert Review.objects.filter(application=application, status=ReviewStatus.ASSIGNED).count() == 2


def test_api_reviewer_never_reads_another_reviewers_unsubmitted_review(
    api_as, stage1, setup, reviewers
):
    application = setup["mine"]  # reviewers 0 and 1
    draft = Review.objects.get(application=application, reviewer=reviewers[1])
    services.review_save(review=draft, actor=reviewers[1], scores={"komitmen": 2}, submit=False)
    config = services.stage_settings_get(stage1)
    config.others_scores = OthersScores.ALWAYS
    config.save()
    client = api_as(reviewers[0])
    assert client.get(f"/api/v1/reviews/{draft.pk}/").status_code == 404
    assert client.patch(f"/api/v1/reviews/{draft.pk}/", {"comment": "x"}).status_code == 404
    services.review_save(review=draft, actor=reviewers[1], scores=scores_for(3), comment="Oke.")
    seen = client.get(f"/api/v1/reviews/{draft.pk}/")
    assert (seen.status_code, seen.data["total"]) == (200, 50.0)
    assert client.patch(f"/api/v1/reviews/{draft.pk}/", {"comment": "x"}).status_code == 403


@pytest.mark.parametrize(
    ("rule", "own_submitted", "visible"),
    [
        (OthersScores.NEVER, True, False),
        (OthersScores.AFTER_SUBMIT, False, False),
        (OthersScores.AFTER_SUBMIT, True, True),
        (OthersScores.ALWAYS, False, True),
    ],
)
def test_api_others_scores_visibility_follows_the_stage(
    rule, own_submitted, visible, api_as, stage1, setup, reviewers
):
    application = setup["mine"]
    other = Review.objects.get(application=application, reviewer=reviewers[1])
    services.review_save(review=other, actor=reviewers[1], scores=scores_for(5), comment="Top.")
    config = services.stage_settings_get(stage1)
    config.others_scores = rule
    config.save()
    if own_submitted:
        mine = Review.objects.get(application=application, reviewer=reviewers[0])
        services.review_save(review=mine, actor=reviewers[0], scores=scores_for(1), comment="Eh.")
    status = api_as(reviewers[0]).get(f"/api/v1/reviews/{other.pk}/").status_code
    assert status == (200 if visible else 404)


def test_api_blind_review_hides_owner_identity(api_as, stage1, setup, reviewers):
    review = Review.objects.get(application=setup["mine"], reviewer=reviewers[0])
    client = api_as(reviewers[0])
    open_data = client.get(f"/api/v1/reviews/{review.pk}/").data["applicant"]
    assert {"owner_name", "owner_nik", "phone", "email"} <= set(open_data)
    assert open_data["owner_nik"].startswith("************")
    config = services.stage_settings_get(stage1)
    config.blind_review = True
    config.save()
    blind = client.get(f"/api/v1/reviews/{review.pk}/").data["applicant"]
    assert set(blind) & {"owner_name", "owner_nik", "phone", "email"} == set()
    assert blind["business_name"] == setup["mine"].enterprise.name
    listed = client.get("/api/v1/reviews/").data["results"]
    assert all("owner_name" not in r["applicant"] for r in listed)
    nxt = client.get("/api/v1/reviews/next/").data["applicant"]
    assert "owner_name" not in nxt


def test_api_partner_reviewer_views_are_logged(api_as, setup, reviewers):
    review = Review.objects.get(application=setup["mine"], reviewer=reviewers[0])
    api_as(reviewers[0]).get(f"/api/v1/reviews/{review.pk}/")
    assert (
        AccessLog.objects.filter(
            actor=reviewers[0], object_id=setup["mine"].pk, channel="api_detail"
        ).count()
        == 1
    )


@pytest.mark.parametrize(
    ("role", "count"),
    [
        ("anonymous", None),
        ("owner", 0),
        ("other_owner", 0),
        ("staff", 1),  # the submitted one; assignments and drafts are the reviewers' own
        ("partner_of_program", 0),  # a reviewer of the partner without assignments
        ("partner_of_other", 0),
    ],
)
def test_api_review_list_visibility(role, count, users, api_as, setup, reviewers):
    submitted = Review.objects.get(application=setup["mine"], reviewer=reviewers[1])
    services.review_save(review=submitted, actor=reviewers[1], scores=scores_for(3), comment="x")
    draft = Review.objects.get(application=setup["mine"], reviewer=reviewers[0])
    services.review_save(review=draft, actor=reviewers[0], scores={"komitmen": 1}, submit=False)
    response = api_as(users[role]).get("/api/v1/reviews/")
    if count is None:
        assert response.status_code == 401
    else:
        assert (response.status_code, response.data["count"]) == (200, count)


def test_api_review_next_in_queue_fewest_reviews_first(api_as, stage1, setup, reviewers):
    # Reviewer 2 has both other applications; the first one gets a review from reviewer 1.
    first_other, second_other = setup["others"]
    done = Review.objects.get(application=first_other, reviewer=reviewers[1])
    services.review_save(review=done, actor=reviewers[1], scores=scores_for(3), comment="x")
    client = api_as(reviewers[2])
    first = client.get("/api/v1/reviews/next/")
    assert first.data["application"] == second_other.pk
    review = Review.objects.get(pk=first.data["id"])
    services.review_save(review=review, actor=reviewers[2], scores=scores_for(3), comment="x")
    second = client.get("/api/v1/reviews/next/")
    assert second.data["application"] == first_other.pk
    Review.objects.filter(pk=second.data["id"]).update(status=ReviewStatus.ABSTAINED)
    assert client.get("/api/v1/reviews/next/").status_code == 204


def test_api_review_list_query_count_same_for_1_and_20(api_as, stage1, make_applicants, staff):
    client = api_as(staff)
    applications = make_applicants(20)
    ReviewFactory(stage=stage1, application=applications[0], reviewer=staff)
    client.get("/api/v1/reviews/")
    with CaptureQueriesContext(connection) as one:
        assert client.get("/api/v1/reviews/").data["count"] == 1
    for a in applications[1:]:
        ReviewFactory(stage=stage1, application=a, reviewer=staff)
    with CaptureQueriesContext(connection) as twenty:
        assert client.get("/api/v1/reviews/").data["count"] == 20
    assert len(one) == len(twenty)


# --- Assignments ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 401),
        ("owner", 404),
        ("other_owner", 404),
        ("staff", 200),
        ("partner_of_program", 404),  # a reviewer
        ("partner_of_other", 404),
    ],
)
def test_api_assignments_visibility(role, status, users, api_as, program, setup):
    assert api_as(users[role]).get(url(program, tail="assignments/")).status_code == status


def test_api_assignments_by_hand_bulk_auto_and_remove(
    api_as, program, program_manager, stage1, make_applicants, reviewers
):
    applications = make_applicants(4, status=ApplicationStatus.ELIGIBLE)
    client = api_as(program_manager)
    one = client.post(
        url(program, tail="assignments/"),
        {"application": applications[0].pk, "reviewer": reviewers[0].pk},
        format="json",
    )
    assert one.status_code == 201, one.data
    assert [(r["application"], r["reviewer"], r["status"]) for r in one.data] == [
        (applications[0].pk, reviewers[0].pk, "assigned")
    ]
    bulk = client.post(
        url(program, tail="assignments/"),
        {
            "applications": [a.pk for a in applications[1:3]],
            "reviewers": [r.pk for r in reviewers[:2]],
        },
        format="json",
    )
    assert (bulk.status_code, len(bulk.data)) == (201, 4)
    auto = client.post(url(program, tail="assignments/auto/"), {"reviewers_per_application": 2})
    assert (auto.status_code, auto.data["created"], auto.data["short"]) == (200, 3, [])
    listed = client.get(url(program, tail="assignments/"))
    assert listed.data["count"] == 8
    removed = client.delete(url(program, tail=f"assignments/{one.data[0]['id']}/"))
    assert removed.status_code == 204
    bad = client.post(
        url(program, tail="assignments/"), {"application": applications[0].pk}, format="json"
    )
    assert bad.status_code == 400
    stranger = PartnerMemberFactory(role="partner_reviewer").user
    refused = client.post(
        url(program, tail="assignments/"),
        {"application": applications[0].pk, "reviewer": stranger.pk},
        format="json",
    )
    assert (refused.status_code, list(refused.data)) == (400, ["detail", "code", "reviewer"])


def test_api_assignment_to_linked_reviewer_conflicts(
    api_as, program, staff, stage1, make_applicants
):
    (application,) = make_applicants(1)
    reviewer = PartnerMemberFactory(partner=program.partner, role="partner_reviewer").user
    application.enterprise.phone = reviewer.phone
    application.enterprise.save(update_fields=["phone"])
    response = api_as(staff).post(
        url(program, tail="assignments/"),
        {"application": application.pk, "reviewer": reviewer.pk},
        format="json",
    )
    assert (response.status_code, response.data["code"]) == (409, "conflict")


def test_api_assignment_list_query_count_same_for_1_and_20(
    api_as, program, staff, stage1, make_applicants, reviewers
):
    client = api_as(staff)
    applications = make_applicants(20)
    ReviewFactory(stage=stage1, application=applications[0], reviewer=reviewers[0])
    client.get(url(program, tail="assignments/"))
    with CaptureQueriesContext(connection) as one:
        assert client.get(url(program, tail="assignments/")).data["count"] == 1
    for a in applications[1:]:
        ReviewFactory(stage=stage1, application=a, reviewer=reviewers[0])
    with CaptureQueriesContext(connection) as twenty:
        assert client.get(url(program, tail="assignments/")).data["count"] == 20
    assert len(one) == len(twenty)


# --- Selection -----------------------------------------------------------------------------------


@pytest.fixture
def reviewed(setup, review_all):
    review_all(Review.objects.all(), lambda r: 5 if r.application_id == setup["mine"].pk else 2)
    return setup


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 401),
        ("owner", 404),
        ("other_owner", 404),
        ("staff", 200),
        ("partner_of_program", 404),
        ("partner_of_other", 404),
    ],
)
def test_api_selection_preview_visibility(role, status, users, api_as, program, reviewed):
    assert api_as(users[role]).get(url(program, tail="selection/")).status_code == status


def test_api_selection_preview_recompute_adjust_publish(
    api_as, program, staff, stage1, reviewed, django_capture_on_commit_callbacks
):
    stage1.seats = 1
    stage1.save(update_fields=["seats"])
    client = api_as(staff)
    preview = client.get(url(program, tail="selection/"))
    assert preview.status_code == 200
    assert set(preview.data) >= {"seed", "params", "results"}
    assert preview.data["run"] is None  # not staged yet
    assert all(set(r) >= RESULT_CONTRACT for r in preview.data["results"])
    staged = client.post(
        url(program, tail="selection/"),
        {"seed": 42, "params": {"waitlist_length": 1, "tie_breakers": ["workers", "lottery"]}},
        format="json",
    )
    assert staged.status_code == 200, staged.data
    assert (staged.data["seed"], staged.data["params"]["waitlist_length"]) == (42, 1)
    first = staged.data["results"][0]
    assert (first["application"], first["decision"], first["rank"], first["reason"]) == (
        reviewed["mine"].pk,
        "selected",
        1,
        "merit",
    )
    bad = client.post(
        url(program, tail="selection/"), {"params": {"tie_breakers": ["astro"]}}, format="json"
    )
    assert (bad.status_code, bad.data["params"]) == (400, ["Unknown tie-breaker."])
    last = staged.data["results"][-1]
    adjusted = client.post(
        url(program, tail="selection/adjust/"),
        {"application": last["application"], "decision": "waitlisted", "reason": "Cadangan."},
        format="json",
    )
    assert adjusted.status_code == 200, adjusted.data
    row = next(r for r in adjusted.data["results"] if r["application"] == last["application"])
    assert (row["decision"], row["reason"], row["note"], row["waitlist_position"]) == (
        "waitlisted",
        "manual",
        "Cadangan.",
        2,
    )
    with django_capture_on_commit_callbacks(execute=True):
        published = client.post(url(program, tail="selection/publish/"))
    assert (published.status_code, published.data["status"]) == (200, "published")
    assert StageDecision.objects.filter(stage=stage1).count() == 3
    again = client.post(url(program, tail="selection/publish/"))
    assert (again.status_code, again.data["code"]) == (409, "already_published")
    assert client.get(url(program, tail="selection/")).data["status"] == "published"
    run_id = published.data["run"]
    rerun = client.post(f"/api/v1/selection-runs/{run_id}/rerun/")
    assert (rerun.status_code, rerun.data["identical"]) == (200, True)


def test_api_selection_partner_manager_previews_when_co_managing_but_never_publishes(
    api_as, program, program_manager, reviewed
):
    client = api_as(program_manager)
    assert client.get(url(program, tail="selection/")).status_code == 404
    program.partner_can_manage = True
    program.save(update_fields=["partner_can_manage"])
    assert client.get(url(program, tail="selection/")).status_code == 200
    assert client.post(url(program, tail="selection/"), {}, format="json").status_code == 200
    assert client.post(url(program, tail="selection/publish/")).status_code == 403


def test_api_selection_of_unknown_stage_is_404(api_as, program, staff, reviewed):
    assert api_as(staff).get(url(program, order=9, tail="selection/")).status_code == 404


# --- Respond, the applicant's view, decisions, runs -------------------------------------------


@pytest.fixture
def offered(program, staff, stage1, reviewed):
    stage1.seats = 1
    stage1.save(update_fields=["seats"])
    config = services.stage_settings_get(stage1)
    config.waitlist_length = 1
    config.save()
    services.selection_publish(stage=stage1, actor=staff)
    return reviewed


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 401),
        ("other_owner", 404),
        ("staff", 403),
        ("partner_of_program", 403),
        ("partner_of_other", 404),
        ("owner", 200),
    ],
)
def test_api_respond_visibility(role, status, users, api_as, offered):
    application = offered["mine"]
    response = api_as(users[role]).post(
        f"/api/v1/applications/{application.pk}/respond/", {"accept": True}, format="json"
    )
    assert response.status_code == status


def test_api_respond_decline_promotes_the_waitlist(api_as, owner, stage1, offered):
    application = offered["mine"]
    response = api_as(owner).post(
        f"/api/v1/applications/{application.pk}/respond/", {"accept": False}, format="json"
    )
    assert (response.status_code, response.data["status"], response.data["stage"]) == (
        200,
        "declined",
        1,
    )
    promoted = StageDecision.objects.get(stage=stage1, promoted_at__isnull=False)
    assert promoted.status == Decision.SELECTED
    again = api_as(owner).post(
        f"/api/v1/applications/{application.pk}/respond/", {"accept": True}, format="json"
    )
    assert (again.status_code, again.data["code"]) == (409, "invalid_transition")
    bad = api_as(owner).post(f"/api/v1/applications/{application.pk}/respond/", {}, format="json")
    assert (bad.status_code, list(bad.data)) == (400, ["accept"])


def test_api_respond_after_deadline_refused(api_as, owner, stage1, offered):
    application = offered["mine"]
    StageDecision.objects.filter(application=application).update(
        response_deadline=timezone.now() - timedelta(minutes=1)
    )
    response = api_as(owner).post(
        f"/api/v1/applications/{application.pk}/respond/", {"accept": True}, format="json"
    )
    assert (response.status_code, response.data["code"]) == (409, "invalid_transition")


@pytest.mark.parametrize(
    ("role", "status", "stages_with_decision"),
    [
        ("anonymous", 401, None),
        ("other_owner", 404, None),
        ("owner", 200, 1),
        ("staff", 200, 1),
        ("partner_of_program", 200, 1),
        ("partner_of_other", 404, None),
    ],
)
def test_api_applicant_selection_visibility(
    role, status, stages_with_decision, users, api_as, offered
):
    application = offered["mine"]
    response = api_as(users[role]).get(f"/api/v1/applications/{application.pk}/selection/")
    assert response.status_code == status
    if status == 200:
        stages = response.data["stages"]
        assert [s["order"] for s in stages] == [1, 2]
        assert sum(1 for s in stages if s["status"]) == stages_with_decision


def test_api_applicant_reads_own_bands_and_reason_only(api_as, owner, offered):
    application = offered["mine"]
    data = api_as(owner).get(f"/api/v1/applications/{application.pk}/selection/").data
    first = data["stages"][0]
    assert (first["status"], first["score_band"], first["rank_band"]) == (
        "selected",
        "90–100",
        "1–3",
    )
    assert first["reason"] == "Your score placed you within the seats of this stage."
    assert first["response_deadline"] is not None
    assert set(data) == {"application", "stages"}


@pytest.mark.parametrize(
    ("role", "count"),
    [
        ("anonymous", None),
        ("owner", 1),
        ("other_owner", 0),
        ("staff", 3),
        ("partner_of_program", 3),
        ("partner_of_other", 0),
    ],
)
def test_api_decision_list_visibility(role, count, users, api_as, offered):
    response = api_as(users[role]).get("/api/v1/decisions/")
    if count is None:
        assert response.status_code == 401
    else:
        assert (response.status_code, response.data["count"]) == (200, count)


@pytest.mark.parametrize(
    ("role", "count"),
    [
        ("anonymous", None),
        ("owner", 0),
        ("other_owner", 0),
        ("staff", 1),
        ("partner_of_program", 0),
        ("partner_of_other", 0),
    ],
)
def test_api_selection_run_list_visibility(role, count, users, api_as, offered):
    response = api_as(users[role]).get("/api/v1/selection-runs/")
    if count is None:
        assert response.status_code == 401
    else:
        assert (response.status_code, response.data["count"]) == (200, count)


def test_api_exactly_one_notification_per_decision(offered):
    rows = Notification.objects.filter(
        channel="in_app",
        template__in=[
            "selection_selected",
            "selection_waitlisted",
            "selection_not_selected",
        ],
    )
    recipients = [r.recipient_id for r in rows]
    assert len(recipients) == 3
    assert len(set(recipients)) == 3


def test_api_decision_and_run_list_query_count_same_for_1_and_20(
    api_as, program, staff, stage1, make_applicants
):
    client = api_as(staff)
    make_applicants(1)
    services.selection_publish(stage=stage1, actor=staff)
    client.get("/api/v1/decisions/")
    with CaptureQueriesContext(connection) as one:
        assert client.get("/api/v1/decisions/").data["count"] == 1
    with CaptureQueriesContext(connection) as one_run:
        assert client.get("/api/v1/selection-runs/").data["count"] == 1
    for _ in range(19):
        other = ProgramFactory(with_setup=True)
        ApplicationFactory(program=other, status=ApplicationStatus.IN_REVIEW)
        services.selection_publish(stage=other.stages.get(order=1), actor=staff)
    with CaptureQueriesContext(connection) as twenty:
        assert client.get("/api/v1/decisions/").data["count"] == 20
    with CaptureQueriesContext(connection) as twenty_runs:
        assert client.get("/api/v1/selection-runs/").data["count"] == 20
    assert len(one) == len(twenty)
    assert len(one_run) == len(twenty_runs)
