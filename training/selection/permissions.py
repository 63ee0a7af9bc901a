"""Who may do and see what in review and selection. One scoping function per model, used by the
selectors, the pages and every API get_queryset: what a user may not see is a 404 for them.

- The office manages everything and sees every review except another reviewer's unsubmitted one.
- The programme's partner manager assigns reviewers and sees the submitted reviews of their
  programmes; they preview and adjust the selection when the programme lets them co-manage it.
- A reviewer sees their own reviews, and others' submitted reviews of the applications they are
  assigned to, as the stage allows (never, after submitting their own, always).
- An applicant sees their own published decisions, never anyone else's, and never a review."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from partnerships.choices import MemberRole
from partnerships.models import PartnerMember
from partnerships.permissions import is_office, is_partner_manager, membership_of

from ..models import Application, Program, Stage
from ..permissions import can_manage_program, is_application_owner
from .choices import OthersScores, ReviewStatus
from .models import Review, ReviewerConflict, SelectionRun, StageDecision


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


# --- Capabilities ---------------------------------------------------------------------------


def can_configure_stage(user, program: Program) -> bool:
    """Rubric and review settings: whoever manages the programme."""
    return can_manage_program(user, program)


def can_assign(user, program: Program) -> bool:
    """Assign reviewers: the office, and the programme's partner manager."""
    if is_office(user):
        return True
    return bool(program.partner_id and is_partner_manager(user, program.partner_id))


def can_see_assignments(user, program: Program) -> bool:
    return can_assign(user, program)


def can_preview(user, program: Program) -> bool:
    """See and adjust the proposed selection: the office, and the partner manager when the
    programme allows them to co-manage it."""
    return can_manage_program(user, program)


def can_publish(user, program: Program) -> bool:
    """Publishing decides about people: the office only."""
    return is_office(user)


def can_respond(user, application: Application) -> bool:
    """Accept or decline an offer: the owner of the business."""
    return is_application_owner(user, application)


def is_reviewer_for(user, program: Program) -> bool:
    """Who may review this programme's applications: office staff and its partner's members."""
    if not _active(user):
        return False
    if is_office(user):
        return True
    membership = membership_of(user)
    return bool(membership and program.partner_id and membership.partner_id == program.partner_id)


def reviewer_pool(program: Program):
    """The people who may be assigned: the partner's reviewers (and managers), and the office."""
    from django.contrib.auth import get_user_model

    from ikm_portal.accounts.choices import Role

    User = get_user_model()
    q = Q(groups__name__in=[Role.OFFICE_STAFF, Role.OFFICE_ADMIN])
    if program.partner_id:
        q |= Q(partner_membership__partner_id=program.partner_id)
    return User.objects.filter(q, is_active=True).distinct().order_by("full_name", "email")


def default_auto_reviewers(program: Program):
    """Automatic assignment uses the partner's reviewers; a programme without a partner (or
    without reviewers) falls back to office staff."""
    from django.contrib.auth import get_user_model

    from ikm_portal.accounts.choices import Role

    User = get_user_model()
    if program.partner_id:
        partner_reviewers = User.objects.filter(
            is_active=True,
            partner_membership__partner_id=program.partner_id,
            partner_membership__role=MemberRole.REVIEWER,
        ).order_by("pk")
        if partner_reviewers.exists():
            return partner_reviewers
    return User.objects.filter(is_active=True, groups__name=Role.OFFICE_STAFF).order_by("pk")


# --- Scoping ---------------------------------------------------------------------------------


def stages_visible_to(user) -> QuerySet[Stage]:
    """The stages whose selection pages a user may open: the office all; a partner's members
    their partner's programmes."""
    if not _active(user):
        return Stage.objects.none()
    if is_office(user):
        return Stage.objects.all()
    membership = membership_of(user)
    if membership is None:
        return Stage.objects.none()
    return Stage.objects.filter(program__partner_id=membership.partner_id)


def reviews_visible_to(user) -> QuerySet[Review]:
    if not _active(user):
        return Review.objects.none()
    own = Q(reviewer=user)
    handed_in = ~Q(status__in=[ReviewStatus.ASSIGNED, ReviewStatus.DRAFT])
    if is_office(user):
        return Review.objects.filter(own | handed_in)
    membership = membership_of(user)
    if membership is None:
        return Review.objects.filter(own)
    partner = Q(stage__program__partner_id=membership.partner_id)
    if membership.role == MemberRole.MANAGER:
        return Review.objects.filter(own | (partner & handed_in))
    mine_here = Review.objects.filter(
        reviewer=user, stage=OuterRef("stage"), application=OuterRef("application")
    )
    mine_submitted = mine_here.filter(status=ReviewStatus.SUBMITTED)
    others = (
        partner
        & Q(status=ReviewStatus.SUBMITTED)
        & (
            (Q(stage__selection_settings__others_scores=OthersScores.ALWAYS) & Q(Exists(mine_here)))
            | (
                Q(stage__selection_settings__others_scores=OthersScores.AFTER_SUBMIT)
                & Q(Exists(mine_submitted))
            )
        )
    )
    return Review.objects.filter(own | others)


def assignments_visible_to(user) -> QuerySet[Review]:
    """Assignments (who reviews what, without the scores): the office, the partner manager of
    the programme, and each reviewer their own."""
    if not _active(user):
        return Review.objects.none()
    if is_office(user):
        return Review.objects.all()
    membership = membership_of(user)
    if membership is not None and membership.role == MemberRole.MANAGER:
        return Review.objects.filter(
            Q(stage__program__partner_id=membership.partner_id) | Q(reviewer=user)
        )
    return Review.objects.filter(reviewer=user)


def runs_visible_to(user) -> QuerySet[SelectionRun]:
    """Selection runs: the office; the partner manager of a programme they co-manage."""
    if not _active(user):
        return SelectionRun.objects.none()
    if is_office(user):
        return SelectionRun.objects.all()
    membership = membership_of(user)
    if membership is None or membership.role != MemberRole.MANAGER:
        return SelectionRun.objects.none()
    return SelectionRun.objects.filter(
        stage__program__partner_id=membership.partner_id,
        stage__program__partner_can_manage=True,
    )


def decisions_visible_to(user) -> QuerySet[StageDecision]:
    """Published decisions: the office all; the partner's members those of their programmes
    (of applicants who consented to share); an owner their own."""
    if not _active(user):
        return StageDecision.objects.none()
    if is_office(user):
        return StageDecision.objects.all()
    q = Q(application__enterprise__owner=user)
    membership = membership_of(user)
    if membership is not None:
        q |= Q(
            stage__program__partner_id=membership.partner_id,
            application__consent_share_with_partner=True,
        )
    return StageDecision.objects.filter(q)


def conflicts_visible_to(user) -> QuerySet[ReviewerConflict]:
    if not _active(user):
        return ReviewerConflict.objects.none()
    if is_office(user):
        return ReviewerConflict.objects.all()
    membership = membership_of(user)
    if membership is not None and membership.role == MemberRole.MANAGER:
        return ReviewerConflict.objects.filter(program__partner_id=membership.partner_id)
    return ReviewerConflict.objects.filter(reviewer=user)


def partner_members(program: Program) -> QuerySet[PartnerMember]:
    if not program.partner_id:
        return PartnerMember.objects.none()
    return PartnerMember.objects.filter(partner_id=program.partner_id)
