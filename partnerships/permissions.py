"""One scoping function per model: selectors, pages and API views all ask these. An object a user
may not see is a 404 for them."""

from django.db.models import QuerySet

from .choices import MemberRole
from .models import Agreement, Partner, PartnerInvitation, PartnerMember

_MISSING = object()


def membership_of(user) -> PartnerMember | None:
    """The user's partner membership (a partner user belongs to exactly one partner)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    cached = getattr(user, "_partner_membership_cache", _MISSING)
    if cached is _MISSING:
        cached = PartnerMember.objects.select_related("partner").filter(user=user).first()
        user._partner_membership_cache = cached
    return cached


def partner_id_of(user) -> int | None:
    membership = membership_of(user)
    return membership.partner_id if membership else None


def is_office(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_office)


def is_partner_manager(user, partner: Partner | int | None = None) -> bool:
    membership = membership_of(user)
    if membership is None or membership.role != MemberRole.MANAGER:
        return False
    if partner is None:
        return True
    partner_id = partner if isinstance(partner, int) else partner.pk
    return membership.partner_id == partner_id


def can_manage_partners(user) -> bool:
    """Create and edit partner organisations and agreements: the office."""
    return is_office(user)


def can_manage_members(user, partner: Partner) -> bool:
    """Invite, list and remove a partner's members: the office, or that partner's manager."""
    return is_office(user) or is_partner_manager(user, partner)


def can_invite_role(user, role: str) -> bool:
    """Managers invite reviewers; the office may also invite managers."""
    if is_office(user):
        return role in MemberRole.values
    return role == MemberRole.REVIEWER


def partners_visible_to(user) -> QuerySet[Partner]:
    if is_office(user):
        return Partner.objects.all()
    partner_id = partner_id_of(user)
    if partner_id is None:
        return Partner.objects.none()
    return Partner.objects.filter(pk=partner_id)


def agreements_visible_to(user) -> QuerySet[Agreement]:
    if is_office(user):
        return Agreement.objects.all()
    partner_id = partner_id_of(user)
    if partner_id is None:
        return Agreement.objects.none()
    return Agreement.objects.filter(partner_id=partner_id)


def members_visible_to(user) -> QuerySet[PartnerMember]:
    if is_office(user):
        return PartnerMember.objects.all()
    membership = membership_of(user)
    if membership is None:
        return PartnerMember.objects.none()
    if membership.role == MemberRole.MANAGER:
        return PartnerMember.objects.filter(partner_id=membership.partner_id)
    return PartnerMember.objects.filter(pk=membership.pk)


def invitations_visible_to(user) -> QuerySet[PartnerInvitation]:
    if is_office(user):
        return PartnerInvitation.objects.all()
    membership = membership_of(user)
    if membership is None or membership.role != MemberRole.MANAGER:
        return PartnerInvitation.objects.none()
    return PartnerInvitation.objects.filter(partner_id=membership.partner_id)


def can_read_agreement_document(user, agreement: Agreement) -> bool:
    """The signed document: office staff and the partner's own members only."""
    return is_office(user) or partner_id_of(user) == agreement.partner_id
