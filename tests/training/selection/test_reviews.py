"""Rubric, settings, assignments (by hand, in bulk, automatic, with conflicts), reviews and
reminders, through the services."""

from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from ikm_portal.core.exceptions import ApplicationError, Conflict, InvalidTransition
from ikm_portal.core.models import ActivityLog
from ikm_portal.notifications.models import Notification
from tests.factories import (
    PartnerMemberFactory,
    ReviewFactory,
    UserFactory,
)
from training.choices import ApplicationStatus
from training.selection import services
from training.selection.choices import REVIEW_TRANSITIONS, ReviewStatus
from training.selection.models import Criterion, Review, ReviewerConflict

from .conftest import scores_for

pytestmark = pytest.mark.django_db


# --- Rubric and settings -------------------------------------------------------------------------


def test_default_rubric_has_four_counted_criteria_and_one_optional(stage1):
    criteria = list(stage1.criteria.all())
    assert [(c.key, c.weight, c.counted) for c in criteria] == [
        ("potensi_efisiensi", Decimal("3.00"), True),
        ("kesiapan_usaha", Decimal("2.00"), True),
        ("komitmen", Decimal("2.00"), True),
        ("dampak_tenaga_kerja", Decimal("1.00"), True),
        ("catatan_lapangan", Decimal("1.00"), False),
    ]
    assert services.rubric_ensure_default(stage=stage1) == criteria  # a second call adds nothing


def test_rubric_update_refuses_duplicate_keys_and_uncounted_rubric(stage1, staff):
    with pytest.raises(ApplicationError) as exc:
        services.rubric_update(
            stage=stage1,
            actor=staff,
            criteria=[
                {"key": "a", "label_id": "A", "weight": 1},
                {"key": "a", "label_id": "B", "weight": 1},
            ],
        )
    assert "Two criteria have the same key." in exc.value.field_errors["criteria"]
    with pytest.raises(ApplicationError) as exc:
        services.rubric_update(
            stage=stage1,
            actor=staff,
            criteria=[{"key": "a", "label_id": "A", "weight": 1, "counted": False}],
        )
    assert exc.value.field_errors["criteria"] == ["At least one criterion must count."]


def test_rubric_update_by_partner_reviewer_refused(stage1, program_reviewer):
    with pytest.raises(InvalidTransition):
        services.rubric_update(
            stage=stage1, actor=program_reviewer, criteria=[{"key": "a", "label_id": "A"}]
        )


def test_rubric_reweight_after_submission_recomputes_totals(stage1, staff, make_applicants):
    (application,) = make_applicants(1)
    review = ReviewFactory(stage=stage1, application=application)
    services.review_save(
        review=review,
        actor=review.reviewer,
        scores={
            "potensi_efisiensi": 5,
            "kesiapan_usaha": 1,
            "komitmen": 1,
            "dampak_tenaga_kerja": 1,
        },
        comment="ok",
    )
    review.refresh_from_db()
    assert review.total == Decimal("37.50")  # weights 3, 2, 2, 1: 3/8
    rows = [
        {
            "key": c.key,
            "label_id": c.label_id,
            "scale_min": c.scale_min,
            "scale_max": c.scale_max,
            "weight": 1,
            "counted": c.counted,
        }
        for c in stage1.criteria.all()
    ]
    services.rubric_update(stage=stage1, actor=staff, criteria=rows)
    review.refresh_from_db()
    assert review.total == Decimal("25.00")
    rows[0]["scale_max"] = 10
    with pytest.raises(ApplicationError):
        services.rubric_update(stage=stage1, actor=staff, criteria=rows)


def test_stage_settings_update_checks_values(stage1, staff):
    with pytest.raises(ApplicationError) as exc:
        services.stage_settings_update(
            stage=stage1,
            actor=staff,
            data={"tie_breakers": ["astrology"], "kecamatan_min": {"99.99.99": 1}},
        )
    assert exc.value.field_errors["tie_breakers"] == ["Unknown tie-breaker."]
    assert exc.value.field_errors["kecamatan_min"] == [
        "Not a kecamatan of the office's region: 99.99.99."
    ]
    config = services.stage_settings_update(
        stage=stage1,
        actor=staff,
        data={"waitlist_length": 10, "tie_breakers": ["workers", "lottery"], "blind_review": True},
    )
    assert (config.waitlist_length, config.tie_breakers, config.blind_review) == (
        10,
        ["workers", "lottery"],
        True,
    )
    assert ActivityLog.objects.filter(action="selection.settings_updated").count() == 1


# --- Assignments ---------------------------------------------------------------------------------


def test_assignment_by_hand_starts_the_review(stage1, staff, reviewers, make_applicants):
    (application,) = make_applicants(1, status=ApplicationStatus.ELIGIBLE)
    review = services.assignment_create(
        stage=stage1, application=application, reviewer=reviewers[0], actor=staff
    )
    application.refresh_from_db()
    assert (review.status, review.method, application.status) == (
        ReviewStatus.ASSIGNED,
        "manual",
        ApplicationStatus.IN_REVIEW,
    )
    # Twice: the same assignment.
    again = services.assignment_create(
        stage=stage1, application=application, reviewer=reviewers[0], actor=staff
    )
    assert again.pk == review.pk


@pytest.mark.parametrize("link", ["email", "phone", "owner"])
def test_assignment_never_to_a_reviewer_linked_to_the_applicant(
    link, program, stage1, staff, make_applicants
):
    (application,) = make_applicants(1)
    enterprise = application.enterprise
    if link == "owner":
        reviewer = enterprise.owner
    else:
        reviewer = UserFactory()
        if link == "email":
            enterprise.email = reviewer.email.upper()
        else:
            enterprise.phone = reviewer.phone
        enterprise.save(update_fields=["email", "phone"])
    PartnerMemberFactory(partner=program.partner, user=reviewer, role="partner_reviewer")
    with pytest.raises(Conflict) as exc:
        services.assignment_create(
            stage=stage1, application=application, reviewer=reviewer, actor=staff
        )
    assert "linked to the applicant" in str(exc.value.message)
    assert Review.objects.count() == 0
    assert link in services.links_between(reviewer, application)


def test_links_between_reads_phone_numbers_in_any_form(program, stage1, make_applicants):
    (application,) = make_applicants(1)
    reviewer = UserFactory(phone="+6281298765432")
    application.enterprise.phone = "081298765432"
    assert services.links_between(reviewer, application) == ["phone"]
    application.enterprise.phone = "+6281298765433"
    assert services.links_between(reviewer, application) == []


def test_assignment_refused_to_someone_outside_the_programme(stage1, staff, make_applicants):
    (application,) = make_applicants(1)
    outsider = PartnerMemberFactory(role="partner_reviewer").user
    with pytest.raises(ApplicationError) as exc:
        services.assignment_create(
            stage=stage1, application=application, reviewer=outsider, actor=staff
        )
    assert "reviewer" in exc.value.field_errors


def test_assignment_refused_to_partner_without_owner_consent(
    stage1, staff, reviewers, make_applicants
):
    (application,) = make_applicants(1)
    application.consent_share_with_partner = False
    application.save(update_fields=["consent_share_with_partner"])
    with pytest.raises(ApplicationError):
        services.assignment_create(
            stage=stage1, application=application, reviewer=reviewers[0], actor=staff
        )
    # Office staff may review it.
    review = services.assignment_create(
        stage=stage1, application=application, reviewer=staff, actor=staff
    )
    assert review.reviewer == staff


def test_assignment_by_partner_manager_allowed_by_reviewer_refused(
    stage1, program_manager, program_reviewer, reviewers, make_applicants
):
    (application,) = make_applicants(1)
    services.assignment_create(
        stage=stage1, application=application, reviewer=reviewers[0], actor=program_manager
    )
    with pytest.raises(InvalidTransition):
        services.assignment_create(
            stage=stage1, application=application, reviewer=reviewers[1], actor=program_reviewer
        )


def test_auto_assignment_balances_and_respects_conflicts(
    program, stage1, staff, reviewers, make_applicants
):
    applications = make_applicants(12, status=ApplicationStatus.ELIGIBLE)
    # Reviewer 0 shares a phone with applicant 0; reviewer 1 declared a conflict with 1.
    applications[0].enterprise.phone = reviewers[0].phone
    applications[0].enterprise.save(update_fields=["phone"])
    ReviewerConflict.objects.create(
        program=program, reviewer=reviewers[1], enterprise=applications[1].enterprise
    )
    result = services.assignments_auto(stage=stage1, actor=staff)
    assert result["created"] == 24
    assert result["short"] == []
    pairs = set(Review.objects.values_list("application_id", "reviewer_id"))
    assert (applications[0].pk, reviewers[0].pk) not in pairs
    assert (applications[1].pk, reviewers[1].pk) not in pairs
    per_app = Counter(a for a, _r in pairs)
    assert set(per_app.values()) == {2}
    loads = Counter(r for _a, r in pairs)
    assert sorted(loads.values()) == [6, 6, 6, 6]
    assert {a.status for a in stage1.program.applications.all()} == {ApplicationStatus.IN_REVIEW}
    # Running it again tops up nothing.
    assert services.assignments_auto(stage=stage1, actor=staff)["created"] == 0
    # Each reviewer heard once about their batch.
    assert (
        Notification.objects.filter(template="selection_review_assigned", channel="in_app").count()
        == 4
    )


def test_bulk_assignment_skips_pairs_that_may_not_meet(stage1, staff, reviewers, make_applicants):
    applications = make_applicants(3)
    applications[2].enterprise.phone = reviewers[1].phone
    applications[2].enterprise.save(update_fields=["phone"])
    result = services.assignments_bulk(
        stage=stage1, applications=applications, reviewers=reviewers[:2], actor=staff
    )
    assert result == {"created": 5, "skipped": 1}


def test_assignment_remove_only_before_submission(stage1, staff, make_applicants):
    (application,) = make_applicants(1)
    review = ReviewFactory(stage=stage1, application=application)
    services.review_save(
        review=review, actor=review.reviewer, scores=scores_for(3), comment="Baik."
    )
    with pytest.raises(InvalidTransition):
        services.assignment_remove(review=review, actor=staff)
    other = ReviewFactory(stage=stage1, application=application)
    services.assignment_remove(review=other, actor=staff)
    assert not Review.objects.filter(pk=other.pk).exists()


# --- Reviews -------------------------------------------------------------------------------------


def test_review_submit_needs_every_counted_criterion_and_a_comment(stage1, make_applicants):
    (application,) = make_applicants(1)
    review = ReviewFactory(stage=stage1, application=application)
    with pytest.raises(ApplicationError) as exc:
        services.review_save(
            review=review,
            actor=review.reviewer,
            scores={"potensi_efisiensi": 9, "komitmen": "x", "unknown": 1},
            comment="",
        )
    errors = exc.value.field_errors
    assert errors["potensi_efisiensi"] == ["Enter a score from 1 to 5."]
    assert errors["komitmen"] == ["Enter a whole number."]
    assert errors["unknown"] == ["Not a criterion of this stage."]
    assert errors["kesiapan_usaha"] == ["Score this criterion."]
    with pytest.raises(ApplicationError) as exc:
        services.review_save(review=review, actor=review.reviewer, scores=scores_for(4), comment="")
    assert list(exc.value.field_errors) == ["comment"]
    review.refresh_from_db()
    assert review.status == ReviewStatus.ASSIGNED


def test_review_draft_then_submit_then_edit_until_deadline(stage1, make_applicants):
    (application,) = make_applicants(1)
    review = ReviewFactory(stage=stage1, application=application)
    draft = services.review_save(
        review=review, actor=review.reviewer, scores={"komitmen": 4}, submit=False
    )
    assert (draft.status, draft.total) == (ReviewStatus.DRAFT, None)
    submitted = services.review_save(
        review=review, actor=review.reviewer, scores=scores_for(5), comment="Sangat siap."
    )
    assert (submitted.status, submitted.total) == (ReviewStatus.SUBMITTED, Decimal("100.00"))
    edited = services.review_save(
        review=review,
        actor=review.reviewer,
        scores={**scores_for(5), "catatan_lapangan": 2, "komitmen": 1},
        comment="Komitmen kurang.",
    )
    assert (edited.status, edited.total, edited.scores["catatan_lapangan"]) == (
        ReviewStatus.SUBMITTED,
        Decimal("75.00"),
        2,
    )
    settings = services.stage_settings_get(stage1)
    settings.review_closes_at = timezone.now() - timedelta(minutes=1)
    settings.save()
    review.stage.refresh_from_db()
    with pytest.raises(services.ReviewClosed):
        services.review_save(
            review=Review.objects.get(pk=review.pk),
            actor=review.reviewer,
            scores=scores_for(1),
            comment="Terlambat.",
        )
    assert Review.objects.get(pk=review.pk).total == Decimal("75.00")


def test_review_written_only_by_its_reviewer(stage1, make_applicants, reviewers):
    (application,) = make_applicants(1)
    review = ReviewFactory(stage=stage1, application=application, reviewer=reviewers[0])
    with pytest.raises(InvalidTransition):
        services.review_save(review=review, actor=reviewers[1], scores=scores_for(3), comment="x")


def test_review_conflict_moves_the_assignment_to_the_least_loaded_reviewer(
    program, stage1, reviewers, make_applicants
):
    applications = make_applicants(2)
    first = ReviewFactory(stage=stage1, application=applications[0], reviewer=reviewers[0])
    ReviewFactory(stage=stage1, application=applications[0], reviewer=reviewers[1])
    ReviewFactory(stage=stage1, application=applications[1], reviewer=reviewers[2])
    with pytest.raises(ApplicationError):
        services.review_declare_conflict(review=first, actor=reviewers[0], reason="")
    services.review_declare_conflict(review=first, actor=reviewers[0], reason="Saudara saya.")
    first.refresh_from_db()
    assert first.status == ReviewStatus.CONFLICT
    assert ReviewerConflict.objects.filter(
        program=program, reviewer=reviewers[0], enterprise=applications[0].enterprise
    ).exists()
    replacement = Review.objects.get(stage=stage1, application=applications[0], method="reassigned")
    assert replacement.reviewer == reviewers[3]  # 1 is on it already, 2 has a load of 1
    # The auto assignment never gives it back to reviewer 0.
    services.assignments_auto(stage=stage1, actor=UserFactory(role="office_staff"))
    assert (
        Review.objects.filter(
            stage=stage1, application=applications[0], reviewer=reviewers[0]
        ).count()
        == 1
    )


def test_review_abstain_does_not_count_and_leaves_the_slot_for_auto(
    stage1, staff, reviewers, make_applicants
):
    (application,) = make_applicants(1)
    review = ReviewFactory(stage=stage1, application=application, reviewer=reviewers[0])
    services.review_abstain(review=review, actor=reviewers[0], reason="Tidak sempat.")
    review.refresh_from_db()
    assert review.status == ReviewStatus.ABSTAINED
    result = services.assignments_auto(stage=stage1, actor=staff, per_application=1)
    assert result["created"] == 1
    assert (
        Review.objects.get(stage=stage1, application=application, method="auto").reviewer
        != (reviewers[0])
    )


@pytest.mark.parametrize(
    ("source", "target"),
    [(s, t) for s in ReviewStatus.values for t in ReviewStatus.values if s != t],
)
def test_review_transition_follows_the_table(source, target, stage1, make_applicants):
    (application,) = make_applicants(1)
    review = ReviewFactory(stage=stage1, application=application, status=source)
    if target in REVIEW_TRANSITIONS[source]:
        assert services.review_transition(review=review, to=target).status == target
    else:
        with pytest.raises(InvalidTransition):
            services.review_transition(review=review, to=target)
        review.refresh_from_db()
        assert review.status == source


# --- Reminders -----------------------------------------------------------------------------------


def test_reminders_one_per_reviewer_and_stage_a_few_days_before(stage1, reviewers, make_applicants):
    applications = make_applicants(3)
    for a in applications:
        ReviewFactory(stage=stage1, application=a, reviewer=reviewers[0])
    ReviewFactory(stage=stage1, application=applications[0], reviewer=reviewers[1])
    done = ReviewFactory(stage=stage1, application=applications[1], reviewer=reviewers[2])
    services.review_save(review=done, actor=reviewers[2], scores=scores_for(3), comment="Cukup.")
    settings = services.stage_settings_get(stage1)
    now = timezone.now()
    settings.review_closes_at = now + timedelta(days=5)
    settings.reminder_days = 3
    settings.save()
    assert services.reviews_remind_due(now=now) == 0  # too early
    later = now + timedelta(days=3)
    assert services.reviews_remind_due(now=later) == 2
    assert services.reviews_remind_due(now=later + timedelta(hours=6)) == 2  # rows exist: no new
    rows = Notification.objects.filter(template="selection_review_reminder", channel="in_app")
    assert sorted(rows.values_list("recipient_id", flat=True)) == sorted(
        [reviewers[0].pk, reviewers[1].pk]
    )
    assert rows.get(recipient=reviewers[0]).context["count"] == 3
    assert rows.get(recipient=reviewers[1]).context["count"] == 1


def test_criterion_model_constraint_scale(stage1):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Criterion.objects.create(stage=stage1, key="bad", label_id="x", scale_min=5, scale_max=5)
