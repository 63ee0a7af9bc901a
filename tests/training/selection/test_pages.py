"""The pages of review and selection: who may open what, and the journeys of the office, the
reviewer and the applicant."""

import pytest
from django.test import Client

from ikm_portal.datarights.models import AccessLog
from tests.factories import ApplicationFactory, ReviewFactory
from training.choices import ApplicationStatus
from training.models import Application
from training.selection import services
from training.selection.choices import Decision, ReviewStatus, RunStatus
from training.selection.models import Review, SelectionRun, StageDecision

from .conftest import scores_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def browse():
    """`browse(user)`: a test client signed in as the user, pages in English."""

    def make(user=None):
        client = Client()
        if user is not None:
            if user.language != "en":
                user.language = "en"
                user.save(update_fields=["language"])
            client.force_login(user)
        return client

    return make


@pytest.fixture
def setup(program, stage1, reviewers, make_applicants, enterprise, tracks):
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


def stage_url(program, name, order=1):
    return f"/programs/{program.pk}/stages/{order}/{name}"


PAGES = ["", "settings/", "assignments/", "selection/", "decisions/"]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", [302] * 5),
        ("owner", [404] * 5),
        ("other_owner", [404] * 5),
        ("staff", [200] * 5),
        ("partner_of_program", [200, 404, 404, 404, 404]),
        ("partner_of_other", [404] * 5),
    ],
)
def test_stage_pages_visibility(role, expected, users, browse, program, setup):
    client = browse(users[role])
    assert [client.get(stage_url(program, p)).status_code for p in PAGES] == expected


def test_stage_pages_partner_manager_assigns_and_previews_when_co_managing(
    browse, program, program_manager, setup
):
    client = browse(program_manager)
    assert [client.get(stage_url(program, p)).status_code for p in PAGES] == [
        200,
        404,
        200,
        404,
        200,
    ]
    program.partner_can_manage = True
    program.save(update_fields=["partner_can_manage"])
    assert [client.get(stage_url(program, p)).status_code for p in PAGES] == [200] * 5
    assert client.get(stage_url(program, "selection/publish/")).status_code == 404


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 302),
        ("owner", 404),
        ("staff", 200),
        ("partner_of_program", 200),
        ("partner_of_other", 200),
    ],
)
def test_selection_home_visibility(role, status, users, browse, setup):
    assert browse(users[role]).get("/programs/selection/").status_code == status


def test_selection_home_lists_only_own_partner_programmes(users, browse, program, setup):
    other = browse(users["partner_of_other"]).get("/programs/selection/").content.decode()
    assert program.title not in other
    assert (
        program.title
        in browse(users["partner_of_program"]).get("/programs/selection/").content.decode()
    )


def test_office_configures_the_stage(browse, staff, program, stage1, enterprise):
    client = browse(staff)
    page = client.get(stage_url(program, "settings/"))
    assert "Potensi efisiensi" in page.content.decode()
    response = client.post(
        stage_url(program, "settings/"),
        {
            "part": "settings",
            "review_opens_at": "2026-01-01T08:00",
            "review_closes_at": "2026-01-01T07:00",
            "others_scores": "after_submit",
            "reviewers_per_application": 2,
            "spread_threshold": 30,
            "reminder_days": 3,
            "waitlist_length": 10,
            "tie_breaker_1": "submitted_at",
            "women_min_percent": 0,
            "offer_days": 7,
            "kecamatan_min": "Atlantis = 2",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Unknown kecamatan: Atlantis." in body
    response = client.post(
        stage_url(program, "settings/"),
        {
            "part": "settings",
            "others_scores": "never",
            "reviewers_per_application": 3,
            "spread_threshold": 25,
            "reminder_days": 2,
            "waitlist_length": 10,
            "tie_breaker_1": "workers",
            "tie_breaker_2": "lottery",
            "use_track_seats": "on",
            "blind_review": "on",
            "women_min_percent": 30,
            "offer_days": 5,
            "kecamatan_max": "lowokwaru = 20",
        },
    )
    assert response.status_code == 302
    config = services.stage_settings_get(program.stages.get(order=1))
    config.refresh_from_db()
    assert (
        config.others_scores,
        config.reviewers_per_application,
        config.tie_breakers,
        config.blind_review,
        config.women_min_percent,
        config.kecamatan_max,
    ) == ("never", 3, ["workers", "lottery"], True, 30, {"35.73.05": 20})


def test_office_edits_the_rubric(browse, staff, program, stage1):
    client = browse(staff)
    form = {
        "part": "rubric",
        "criteria-TOTAL_FORMS": 2,
        "criteria-INITIAL_FORMS": 0,
        "criteria-0-key": "mutu",
        "criteria-0-label_id": "Mutu produk",
        "criteria-0-scale_min": 0,
        "criteria-0-scale_max": 10,
        "criteria-0-weight": "2",
        "criteria-0-counted": "on",
        "criteria-0-source": "reviewers",
        "criteria-1-key": "Bad Key",
        "criteria-1-label_id": "Salah",
        "criteria-1-scale_min": 1,
        "criteria-1-scale_max": 5,
        "criteria-1-weight": "1",
        "criteria-1-source": "reviewers",
    }
    response = client.post(stage_url(program, "settings/"), form)
    assert response.status_code == 200
    assert "lower case letters, digits and _" in response.content.decode()
    form["criteria-1-key"] = "catatan"
    assert client.post(stage_url(program, "settings/"), form).status_code == 302
    assert list(stage1.criteria.values_list("key", "counted")) == [
        ("mutu", True),
        ("catatan", False),
    ]


def test_office_assigns_automatically_and_by_hand(
    browse, staff, program, stage1, reviewers, make_applicants
):
    applications = make_applicants(4, status=ApplicationStatus.ELIGIBLE)
    client = browse(staff)
    response = client.post(
        stage_url(program, "assignments/"),
        {
            "action": "auto",
            "reviewers_per_application": 2,
            "reviewers": [str(r.pk) for r in reviewers],
        },
    )
    assert response.status_code == 302
    assert Review.objects.filter(stage=stage1).count() == 8
    page = client.get(stage_url(program, "assignments/")).content.decode()
    assert applications[0].enterprise.name in page
    review = Review.objects.filter(stage=stage1).first()
    assert (
        client.post(
            stage_url(program, "assignments/"), {"action": "remove", "review": review.pk}
        ).status_code
        == 302
    )
    assert Review.objects.filter(stage=stage1).count() == 7
    response = client.post(
        stage_url(program, "assignments/"),
        {
            "action": "bulk",
            "ids": [str(review.application_id)],
            "reviewers": [str(review.reviewer_id)],
        },
    )
    assert response.status_code == 302
    assert Review.objects.filter(stage=stage1).count() == 8


def test_reviewer_partner_cannot_post_assignments(browse, program, program_reviewer, setup):
    response = browse(program_reviewer).post(stage_url(program, "assignments/"), {"action": "auto"})
    assert response.status_code == 404


# --- The reviewer --------------------------------------------------------------------------------


def test_reviewer_queue_and_save_and_next(browse, reviewers, setup):
    reviewer = reviewers[2]  # the two other applications
    client = browse(reviewer)
    queue = client.get("/programs/reviews/")
    assert queue.status_code == 200
    first = client.get("/programs/reviews/next/")
    assert first.status_code == 302
    review = Review.objects.get(pk=int(first["Location"].rstrip("/").rsplit("/", 1)[1]))
    page = client.get(first["Location"])
    assert page.status_code == 200
    assert review.application.enterprise.name in page.content.decode()
    incomplete = client.post(first["Location"], {"action": "next", "c_komitmen": "3"})
    assert incomplete.status_code == 200
    assert "Score this criterion." in incomplete.content.decode()
    data = {f"c_{k}": str(v) for k, v in scores_for(4).items()}
    saved = client.post(first["Location"], {**data, "comment": "Layak.", "action": "next"})
    assert saved.status_code == 302
    review.refresh_from_db()
    assert (review.status, str(review.total)) == (ReviewStatus.SUBMITTED, "75.00")
    following = Review.objects.get(pk=int(saved["Location"].rstrip("/").rsplit("/", 1)[1]))
    assert following.reviewer == reviewer and following.pk != review.pk
    last = client.post(saved["Location"], {**data, "comment": "Layak.", "action": "next"})
    assert last["Location"] == "/programs/reviews/"


def test_reviewer_page_blind_review_hides_owner(browse, stage1, reviewers, setup):
    review = Review.objects.get(application=setup["mine"], reviewer=reviewers[0])
    owner_name = setup["mine"].enterprise.owner_name
    client = browse(reviewers[0])
    assert owner_name in client.get(f"/programs/reviews/{review.pk}/").content.decode()
    config = services.stage_settings_get(stage1)
    config.blind_review = True
    config.save()
    body = client.get(f"/programs/reviews/{review.pk}/").content.decode()
    assert owner_name not in body
    assert setup["mine"].enterprise.phone not in body
    assert "Blind review" in body
    assert AccessLog.objects.filter(actor=reviewers[0], channel="page_detail").count() == 2


def test_reviewer_never_opens_another_reviewers_unsubmitted_review(browse, reviewers, setup):
    review = Review.objects.get(application=setup["mine"], reviewer=reviewers[1])
    assert browse(reviewers[0]).get(f"/programs/reviews/{review.pk}/").status_code == 404
    assert browse(reviewers[0]).post(f"/programs/reviews/{review.pk}/abstain/").status_code == 404


def test_reviewer_declares_conflict_and_abstains(browse, reviewers, setup):
    client = browse(reviewers[0])
    review = Review.objects.get(application=setup["mine"], reviewer=reviewers[0])
    page = client.post(f"/programs/reviews/{review.pk}/conflict/", {"reason": ""})
    assert page.status_code == 200
    done = client.post(f"/programs/reviews/{review.pk}/conflict/", {"reason": "Kerabat."})
    assert done.status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.CONFLICT
    assert Review.objects.filter(application=setup["mine"], method="reassigned").count() == 1
    other = Review.objects.get(application=setup["others"][1], reviewer=reviewers[3])
    assert browse(reviewers[3]).post(f"/programs/reviews/{other.pk}/abstain/").status_code == 302
    other.refresh_from_db()
    assert other.status == ReviewStatus.ABSTAINED


# --- Preview, publish, run -----------------------------------------------------------------------


@pytest.fixture
def reviewed(setup, review_all):
    review_all(Review.objects.all(), lambda r: 5 if r.application_id == setup["mine"].pk else 2)
    return setup


def test_office_previews_adjusts_publishes_and_reads_the_run(
    browse, staff, program, stage1, reviewed, django_capture_on_commit_callbacks
):
    stage1.seats = 1
    stage1.save(update_fields=["seats"])
    client = browse(staff)
    page = client.get(stage_url(program, "selection/"))
    assert page.status_code == 200
    assert "Not computed yet" in page.content.decode()
    assert client.get(stage_url(program, "selection/publish/")).status_code == 302
    computed = client.post(
        stage_url(program, "selection/"),
        {
            "action": "compute",
            "seed": 5,
            "waitlist_length": 1,
            "tie_breaker_1": "submitted_at",
            "women_min_percent": 0,
        },
    )
    assert computed.status_code == 302
    run = SelectionRun.objects.get(stage=stage1, status=RunStatus.PREVIEW)
    last = run.results[-1]["application"]
    refused = client.post(
        stage_url(program, "selection/"),
        {"action": "adjust", "application": last, "decision": "selected", "reason": "Prioritas."},
        follow=True,
    )
    assert "2 selected for 1 seats" in refused.content.decode()
    adjusted = client.post(
        stage_url(program, "selection/"),
        {"action": "adjust", "application": last, "decision": "waitlisted", "reason": "Cadangan."},
    )
    assert adjusted.status_code == 302
    confirm = client.get(stage_url(program, "selection/publish/"))
    assert confirm.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        published = client.post(stage_url(program, "selection/publish/"))
    assert published.status_code == 302
    run = SelectionRun.objects.get(stage=stage1, status=RunStatus.PUBLISHED)
    assert published["Location"] == f"/programs/selection/runs/{run.pk}/"
    page = client.get(published["Location"])
    body = page.content.decode()
    assert page.status_code == 200
    assert "Cadangan." in body
    assert reviewed["mine"].enterprise.name in body
    rerun = client.post(published["Location"], {"action": "rerun"})
    assert "the same result, decision by decision" in rerun.content.decode()
    assert client.get(stage_url(program, "selection/")).status_code == 302  # to the run
    decisions = client.get(stage_url(program, "decisions/"))
    assert decisions.status_code == 200
    assert StageDecision.objects.filter(stage=stage1).count() == 3


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 302),
        ("owner", 404),
        ("staff", 200),
        ("partner_of_program", 404),
        ("partner_of_other", 404),
    ],
)
def test_run_page_visibility(role, status, users, browse, staff, stage1, reviewed):
    run = services.selection_publish(stage=stage1, actor=staff)
    assert browse(users[role]).get(f"/programs/selection/runs/{run.pk}/").status_code == status


# --- The applicant -------------------------------------------------------------------------------


@pytest.fixture
def offered(staff, stage1, reviewed):
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
        ("anonymous", 302),
        ("owner", 200),
        ("other_owner", 404),
        ("staff", 200),
        ("partner_of_program", 404),
        ("partner_of_other", 404),
    ],
)
def test_applicant_page_visibility(role, status, users, browse, offered):
    url = f"/programs/applications/{offered['mine'].pk}/selection/"
    assert browse(users[role]).get(url).status_code == status


def test_applicant_sees_band_reason_and_accepts(browse, owner, offered, stage1):
    client = browse(owner)
    application = offered["mine"]
    page = client.get(f"/programs/applications/{application.pk}/selection/").content.decode()
    assert "90–100" in page
    assert "Your score placed you within the seats of this stage." in page
    for other in offered["others"]:
        assert other.enterprise.name not in page
    mine = client.get("/programs/selection/mine/")
    assert mine.status_code == 200
    assert application.program.title in mine.content.decode()
    confirm = client.get(f"/programs/applications/{application.pk}/respond/?answer=accept")
    assert confirm.status_code == 200
    done = client.post(
        f"/programs/applications/{application.pk}/respond/", {"answer": "accept", "confirm": "yes"}
    )
    assert done.status_code == 302
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.ACCEPTED
    assert StageDecision.objects.get(application=application).status == Decision.ACCEPTED


def test_applicant_declines_and_the_waitlist_moves_up(browse, owner, offered, stage1):
    application = offered["mine"]
    browse(owner).post(
        f"/programs/applications/{application.pk}/respond/", {"answer": "decline", "confirm": "yes"}
    )
    assert StageDecision.objects.get(application=application).status == Decision.DECLINED
    assert StageDecision.objects.filter(stage=stage1, status=Decision.SELECTED).count() == 1


def test_respond_page_only_for_the_owner(browse, users, offered):
    url = f"/programs/applications/{offered['mine'].pk}/respond/?answer=accept"
    assert browse(users["other_owner"]).get(url).status_code == 404
    assert browse(users["staff"]).get(url).status_code == 404


def test_dashboard_and_nav_show_the_offer_and_the_queue(browse, owner, reviewers, offered):
    page = browse(owner).get("/", follow=True).content.decode()
    assert "You have an offer" in page
    assert "/programs/selection/mine/" in page
    assert "Start reviewing" not in page
    reviewer_page = browse(reviewers[0]).get("/", follow=True).content.decode()
    assert "/programs/reviews/" in reviewer_page
