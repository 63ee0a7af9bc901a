"""One scoping function per model, used by selectors, pages and every API get_queryset. What a
user may not see is a 404 for them."""

from django.db.models import Q, QuerySet

from partnerships.permissions import is_office, is_partner_manager, membership_of

from .choices import PARTNER_VISIBLE_STATUSES, PUBLISHED_PROGRAM_STATUSES, ProgramStatus
from .models import Application, Program


def programs_visible_to(user) -> QuerySet[Program]:
    """The office sees every programme; a partner's members also see their own programmes in
    draft; everyone else (owners, visitors) sees published programmes."""
    if is_office(user):
        return Program.objects.all()
    published = Q(status__in=sorted(PUBLISHED_PROGRAM_STATUSES))
    membership = membership_of(user)
    if membership is not None:
        return Program.objects.filter(published | Q(partner_id=membership.partner_id))
    return Program.objects.filter(published)


def can_create_program(user) -> bool:
    return is_office(user)


def can_manage_program(user, program: Program) -> bool:
    """The office manages every programme; a partner manager co-manages their partner's
    programme when the office allows it for that programme."""
    if is_office(user):
        return True
    return bool(
        program.partner_id
        and program.partner_can_manage
        and is_partner_manager(user, program.partner_id)
    )


def can_change_program_status(user, program: Program, target: str) -> bool:
    if target == ProgramStatus.CANCELLED:
        return is_office(user)
    return can_manage_program(user, program)


def is_program_partner(user, program: Program) -> bool:
    membership = membership_of(user)
    return bool(membership and program.partner_id and membership.partner_id == program.partner_id)


def _partner_applications_q(partner_id: int) -> Q:
    # Consent given once (every submitted application to a partner's programme has it): the
    # partner keeps seeing the application after a withdrawal, without the owner's personal
    # data (shares_personal_data), so the selection and attendance stay whole.
    return Q(
        program__partner_id=partner_id,
        status__in=sorted(PARTNER_VISIBLE_STATUSES),
        consent_at__isnull=False,
    )


def applications_visible_to(user) -> QuerySet[Application]:
    """The office: all. An owner: the applications of their own businesses. A partner's member:
    the applications of their partner's programmes from eligible on, when the owner consented
    to share them (personal data hidden again once withdrawn: shares_personal_data)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Application.objects.none()
    if is_office(user):
        return Application.objects.all()
    q = Q(enterprise__owner=user)
    membership = membership_of(user)
    if membership is not None:
        q |= _partner_applications_q(membership.partner_id)
    return Application.objects.filter(q)


def is_partner_viewer(user, application: Application) -> bool:
    """A partner's member looking at someone else's application: their views are logged and
    they see only the shared data with NIK masked."""
    if is_office(user):
        return False
    membership = membership_of(user)
    return bool(
        membership
        and application.program.partner_id == membership.partner_id
        and application.enterprise.owner_id != user.pk
    )


def withholds_personal_data(user, *, program, enterprise, consent: bool) -> bool:
    """Whether the owner's personal data is hidden from `user`: from a partner's member once the
    owner withdrew the sharing consent; never from the office or the owner. The consent is read
    first, so the usual case costs no query."""
    if consent or is_office(user):
        return False
    membership = membership_of(user)
    return bool(
        membership
        and program.partner_id == membership.partner_id
        and enterprise.owner_id != getattr(user, "pk", None)
    )


def shares_personal_data(user, application: Application) -> bool:
    """Whether `user` may see the owner's personal data on this application: always the office
    and the owner; a partner's member only while the owner's sharing consent stands."""
    if application.consent_share_with_partner:
        return True
    return not withholds_personal_data(
        user, program=application.program, enterprise=application.enterprise, consent=False
    )


def is_application_owner(user, application: Application) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and application.enterprise.owner_id is not None
        and application.enterprise.owner_id == user.pk
    )


def can_screen(user) -> bool:
    """Override the automatic screening, screen in bulk, start the review: the office."""
    return is_office(user)
