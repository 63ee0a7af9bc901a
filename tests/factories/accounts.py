import factory
from django.contrib.auth.models import Group

from ikm_portal.accounts.models import User

PASSWORD = "correct-horse-battery"
# Office administrators must use two-factor sign-in: the factory gives each one a confirmed TOTP
# device with this key (hex), so tests can compute codes (`totp_code(user)`).
TOTP_KEY = "3132333435363738393031323334353637383930"


class UserFactory(factory.django.DjangoModelFactory):
    """`UserFactory(role="office_staff")` adds the role's group."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.id")
    full_name = factory.Faker("name", locale="id_ID")
    phone = factory.Sequence(lambda n: f"+62812{n:08d}")
    language = "id"
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get_or_create(name=extracted)[0])

    @factory.post_generation
    def two_factor(self, create, extracted, **kwargs):
        """`two_factor=True` gives any user a TOTP device; office admins get one unless
        `two_factor=False`."""
        if extracted is None:  # not has_role(): its cache would hide roles added later
            extracted = self.groups.filter(name="office_admin").exists()
        wanted = extracted
        if create and wanted:
            give_totp_device(self)


def give_totp_device(user):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.create(user=user, name="test", key=TOTP_KEY, confirmed=True)


def totp_code(user, *, steps_ahead: int = 0) -> str:
    """The current code of the user's device. django-otp refuses a code already used, so a
    second sign-in within the same 30 s window passes `steps_ahead=1` (tolerance is one step)."""
    import time

    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=user, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"
