"""Reads for partners, agreements, members and invitations, always through the scoping
functions in permissions.py."""

from datetime import timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from .choices import AGREEMENT_REMINDER_DAYS, AgreementStatus
from .models import Agreement, Partner, PartnerInvitation, PartnerMember
from .permissions import (
    agreements_visible_to,
    invitations_visible_to,
    members_visible_to,
    partners_visible_to,
)


def partner_list(*, user) -> QuerySet[Partner]:
    return (
        partners_visible_to(user)
        .annotate(
            member_count=Count("members", distinct=True),
            active_agreement_count=Count(
                "agreements", filter=Q(agreements__status=AgreementStatus.ACTIVE), distinct=True
            ),
        )
        .order_by("name")
    )


def agreement_list(*, user) -> QuerySet[Agreement]:
    return agreements_visible_to(user).select_related("partner")


def member_list(*, user, partner: Partner | None = None) -> QuerySet[PartnerMember]:
    qs = members_visible_to(user).select_related("user", "partner")
    if partner is not None:
        qs = qs.filter(partner=partner)
    return qs.order_by("role", "user__full_name")


def invitation_list(*, user, partner: Partner | None = None) -> QuerySet[PartnerInvitation]:
    qs = invitations_visible_to(user).select_related("partner", "invited_by", "accepted_by")
    if partner is not None:
        qs = qs.filter(partner=partner)
    return qs


def agreements_expiring(*, user, days: int = AGREEMENT_REMINDER_DAYS) -> QuerySet[Agreement]:
    today = timezone.localdate()
    return agreement_list(user=user).filter(
        status=AgreementStatus.ACTIVE,
        valid_to__gte=today,
        valid_to__lte=today + timedelta(days=days),
    )


def pending_invitation_count(*, user, partner: Partner) -> int:
    return (
        invitation_list(user=user, partner=partner)
        .filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())
        .count()
    )
