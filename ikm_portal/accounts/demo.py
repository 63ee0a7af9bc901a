from ikm_portal.core.demo import demo_user

from .choices import Role

# The demo office administrator must use two-factor sign-in like any other. Their authenticator
# key is public (it is printed and in README.md): add it to an authenticator app by hand, or sign
# in with one of the fixed recovery codes below. `load_demo` (every `make run`) restores both.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # base32
DEMO_RECOVERY_CODES = [f"demo{n:04d}" for n in range(1, 11)]


def demo_two_factor(user) -> None:
    from base64 import b32decode

    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    key = b32decode(DEMO_TOTP_SECRET).hex()
    TOTPDevice.objects.filter(user=user).exclude(key=key).delete()
    TOTPDevice.objects.update_or_create(
        user=user, key=key, defaults={"name": "demo", "confirmed": True}
    )
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name="recovery", defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=c) for c in DEMO_RECOVERY_CODES
    )


def load_demo(stdout):
    users = [
        ("admin@demo.ikm.id", "Admin Dinas", Role.OFFICE_ADMIN, "+6281200000001"),
        ("staf@demo.ikm.id", "Sri Wahyuni", Role.OFFICE_STAFF, "+6281200000002"),
        ("pemilik@demo.ikm.id", "Budi Santoso", Role.IKM_OWNER, "+6281200000003"),
    ]
    for email, name, role, phone in users:
        user = demo_user(email=email, full_name=name, role=role, phone=phone)
        if role == Role.OFFICE_ADMIN:
            demo_two_factor(user)
    note = (
        f"two-factor: authenticator key {DEMO_TOTP_SECRET} "
        f"or a recovery code {DEMO_RECOVERY_CODES[0]} … {DEMO_RECOVERY_CODES[-1]}"
    )
    return [
        (role.value, email, note) if role == Role.OFFICE_ADMIN else (role.value, email)
        for email, _, role, _ in users
    ]
