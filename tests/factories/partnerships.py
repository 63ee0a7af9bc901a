from datetime import timedelta

import factory
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.utils import timezone

from partnerships.choices import AgreementStatus, MemberRole
from partnerships.demo import minimal_pdf
from partnerships.models import Agreement, Partner, PartnerInvitation, PartnerMember

from .accounts import UserFactory


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"PT Mitra {n}")
    contact_person = factory.Faker("name", locale="id_ID")
    email = factory.Sequence(lambda n: f"mitra{n}@example.id")


class PartnerMemberFactory(factory.django.DjangoModelFactory):
    """A partner user: the user gets the group of the member's role."""

    class Meta:
        model = PartnerMember
        skip_postgeneration_save = True

    partner = factory.SubFactory(PartnerFactory)
    role = "partner_reviewer"
    user = factory.SubFactory(UserFactory)

    @factory.post_generation
    def grant_role(self, create, extracted, **kwargs):
        if create:
            self.user.groups.add(Group.objects.get_or_create(name=self.role)[0])


def pdf_file(name: str = "perjanjian.pdf", text: str = "Perjanjian") -> ContentFile:
    return ContentFile(minimal_pdf(text), name=name)


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agreement

    partner = factory.SubFactory(PartnerFactory)
    number = factory.Sequence(lambda n: f"PKS/{n:03d}/2026")
    title = "Kerjasama Kemitraan Program Efisiensi Produk"
    signed_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=10))
    valid_from = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=10))
    valid_to = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=365))
    status = AgreementStatus.ACTIVE
    document = factory.LazyFunction(pdf_file)


class PartnerInvitationFactory(factory.django.DjangoModelFactory):
    """Pass `token=` to know the raw token; the row stores its hash only."""

    class Meta:
        model = PartnerInvitation
        exclude = ["token"]

    partner = factory.SubFactory(PartnerFactory)
    email = factory.Sequence(lambda n: f"undangan{n}@example.id")
    role = MemberRole.REVIEWER
    token = factory.Sequence(lambda n: f"token-{n}-abcdefghijklmnop")
    token_hash = factory.LazyAttribute(
        lambda o: __import__("hashlib").sha256(o.token.encode()).hexdigest()
    )
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
