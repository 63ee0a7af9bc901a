import factory
from django.contrib.auth.models import Group

from partnerships.models import Partner, PartnerMember

from .accounts import UserFactory


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"PT Mitra {n}")


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
