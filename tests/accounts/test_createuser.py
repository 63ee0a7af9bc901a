import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ikm_portal.accounts.choices import Role
from ikm_portal.accounts.models import User
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [Role.OFFICE_ADMIN, Role.OFFICE_STAFF, Role.IKM_OWNER])
def test_createuser_office_and_owner_roles(role, capsys):
    call_command(
        "createuser", "a@example.id", role=role, password="pw-long-enough-1", full_name="A"
    )
    user = User.objects.get(email="a@example.id")
    assert user.roles == [role]
    assert user.check_password("pw-long-enough-1")
    assert user.is_staff is (role == Role.OFFICE_ADMIN)
    assert f"Created {role} a@example.id" in capsys.readouterr().out


@pytest.mark.parametrize("role", [Role.PARTNER_MANAGER, Role.PARTNER_REVIEWER])
def test_createuser_partner_roles_join_their_partner(role):
    partner = PartnerFactory(name="PT HM Sampoerna Tbk")
    call_command("createuser", "p@example.id", role=role, partner="pt hm sampoerna tbk")
    user = User.objects.get(email="p@example.id")
    assert user.roles == [role]
    assert (user.partner_membership.partner, user.partner_membership.role) == (partner, role)


def test_createuser_without_password_prints_a_generated_one(capsys):
    call_command("createuser", "g@example.id", role="office_staff")
    password = capsys.readouterr().out.split("Password: ")[1].strip()
    assert User.objects.get(email="g@example.id").check_password(password)


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (["x@example.id"], {"role": "superhero"}, "Unknown role 'superhero'"),
        (["x@example.id"], {"role": "partner_reviewer"}, "needs --partner"),
        (["x@example.id"], {"role": "partner_manager", "partner": "PT Nope"}, "Unknown partner"),
        (["x@example.id"], {"role": "office_staff", "partner": "PT Nope"}, "only for partner"),
        (["x@example.id"], {"role": "ikm_owner", "phone": "123"}, "nomor ponsel Indonesia"),
    ],
)
def test_createuser_bad_input_is_refused(args, kwargs, message):
    with pytest.raises(CommandError, match=message):
        call_command("createuser", *args, **kwargs)
    assert User.objects.count() == 0


def test_createuser_existing_email_is_refused(owner):
    with pytest.raises(CommandError, match="already exists"):
        call_command("createuser", owner.email, role="office_staff")


def test_createuser_exit_code_is_1(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ikm_portal.settings.test"}
    result = subprocess.run(
        [sys.executable, "manage.py", "createuser", "z@example.id", "--role", "nobody"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "Unknown role 'nobody'" in result.stderr
