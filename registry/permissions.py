"""The one gate of the registry: who sees which business, used by selectors, pages and the API.

- Office staff (office_staff, office_admin, superusers) see every business.
- An IKM owner sees only the businesses whose owner account is theirs.
- Partner users and anonymous visitors see none of the registry: every page and endpoint is a
  403 (or 404 for a single record) for them.

The NIK is masked (``************1234``) everywhere — pages, API, exports, history — for everyone
but the business's owner (issue 8, UU 27/2022). Office users holding ``registry.unmask_nik``
(office_admin holds every permission; an administrator may grant it to a named staff user) may
*unmask* one NIK as an explicit action with a reason; each unmask writes a row in the
personal-data access log (ikm_portal/datarights): who, whose, when, why. Staff verify and
search by exact NIK without seeing it.
"""

from django.core.exceptions import PermissionDenied
from rest_framework import permissions

from .models import Enterprise

UNMASK_NIK = "registry.unmask_nik"


def is_office(user) -> bool:
    return bool(user and user.is_authenticated and user.is_office)


def may_use_registry(user) -> bool:
    """Owners and office staff; never partner users (unless they are also office staff)."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if is_office(user):
        return True
    return not user.is_partner


def sees_whole_register(user) -> bool:
    """Office users see every business: their counts may come from the register's tally."""
    return is_office(user)


def enterprises_visible_to(user):
    qs = Enterprise.objects.all()
    if sees_whole_register(user):
        return qs
    if not may_use_registry(user):
        return qs.none()
    return qs.filter(owner=user)


def sees_full_nik(user, enterprise: Enterprise) -> bool:
    """Only the owner sees their own full NIK without asking."""
    return bool(user and user.is_authenticated and enterprise.owner_id == user.pk)


def can_unmask_nik(user) -> bool:
    """May ask to see a full NIK, one business at a time, with a reason that is logged."""
    return is_office(user) and user.has_perm(UNMASK_NIK)


def can_edit(user, enterprise: Enterprise) -> bool:
    """Staff edit any record that is not archived; owners their own draft or returned record."""
    from .choices import OWNER_EDITABLE_STATUSES, EnterpriseStatus

    if enterprise.status == EnterpriseStatus.ARCHIVED:
        return False
    if is_office(user) and user.has_perm("registry.change_enterprise"):
        return True
    return enterprise.owner_id == user.pk and enterprise.status in OWNER_EDITABLE_STATUSES


def require_office(user, perm: str | None = None) -> None:
    if not is_office(user) or (perm and not user.has_perm(perm)):
        raise PermissionDenied


def require_registry_user(user) -> None:
    if not may_use_registry(user):
        raise PermissionDenied


class RegistryUser(permissions.BasePermission):
    """Owners and office staff; partner users get 403 on every registry endpoint."""

    def has_permission(self, request, view):
        return may_use_registry(request.user)


class OfficeOnly(permissions.BasePermission):
    def has_permission(self, request, view):
        return is_office(request.user)
