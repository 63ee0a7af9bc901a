import pytest
from django.contrib.auth.models import Group

from ikm_portal.accounts.choices import Role
from ikm_portal.accounts.roles import sync_roles

pytestmark = pytest.mark.django_db


def test_roles_exist_as_groups_after_migrate():
    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)


def test_office_admin_holds_every_permission():
    from django.contrib.auth.models import Permission

    counts = sync_roles()
    assert counts["office_admin"] == Permission.objects.count()


def test_office_staff_can_view_users(staff):
    assert staff.has_perm("accounts.view_user")


def test_owner_has_no_user_permissions(owner):
    assert not owner.has_perm("accounts.view_user")


def test_partner_manager_can_invite_members(partner_manager):
    assert partner_manager.has_perm("partnerships.add_partnermember")
    assert not partner_manager.has_perm("partnerships.add_partner")
