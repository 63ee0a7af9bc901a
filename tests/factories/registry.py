"""Registry factories.

`EnterpriseFactory()` is a complete draft owned by a new IKM owner in Dinoyo (Lowokwaru) with one
product (KBLI 2020 10391, tempe). `EnterpriseFactory(verified=True)` (or `submitted=True`,
`needs_revision=True`) sets the status and its timestamps; `VerifiedEnterpriseFactory` is verified
by default. `owner=None` gives a walk-in business without an owner account. Derived fields
(kecamatan, workers_total, size_class, umkm_class) are computed as the services do.
"""

import datetime

import factory
from django.utils import timezone

from registry.choices import (
    CapacityUnit,
    CertificationKind,
    EnterpriseStatus,
    Gender,
    KbliLevel,
    LegalForm,
    MarketingReach,
    RegionLevel,
)
from registry.models import Certification, Enterprise, Kbli, Product, Region, Sentra
from registry.services.derive import enterprise_derive

from .accounts import UserFactory

MALANG = ("35.73", "Kota Malang", RegionLevel.KOTA, None)
KECAMATAN = {
    "35.73.01": "Blimbing",
    "35.73.02": "Klojen",
    "35.73.03": "Kedungkandang",
    "35.73.04": "Sukun",
    "35.73.05": "Lowokwaru",
}
KELURAHAN = {
    "35.73.05.1004": "Dinoyo",
    "35.73.05.1012": "Tasik Madu",
    "35.73.01.1007": "Purwantoro",
    "35.73.01.1008": "Bunulrejo",
    "35.73.02.1011": "Penanggungan",
}


def region(code: str) -> Region:
    """The Malang region with this code (and its parents), created on first use."""
    if code == MALANG[0]:
        Region.objects.get_or_create(
            code="35", defaults={"name": "Jawa Timur", "level": RegionLevel.PROVINSI}
        )
        return Region.objects.get_or_create(
            code=code,
            defaults={"name": MALANG[1], "level": MALANG[2], "parent_id": "35"},
        )[0]
    parent_code = code.rsplit(".", 1)[0]
    parent = region(parent_code)
    if code in KECAMATAN:
        name, level = KECAMATAN[code], RegionLevel.KECAMATAN
    else:
        name, level = KELURAHAN.get(code, f"Kelurahan {code}"), RegionLevel.KELURAHAN
    return Region.objects.get_or_create(
        code=code, defaults={"name": name, "level": level, "parent": parent}
    )[0]


def kbli(code: str = "10391", title: str = "Industri Tempe Kedelai", version="2020") -> Kbli:
    """A KBLI row (and its parents, so that division filters find it), created on first use."""
    for length in (2, 3, 4):
        Kbli.objects.get_or_create(
            version=version,
            code=code[:length],
            defaults={
                "title_id": f"KBLI {code[:length]}",
                "level": {2: KbliLevel.DIVISION, 3: KbliLevel.GROUP, 4: KbliLevel.SUBGROUP}[length],
            },
        )
    return Kbli.objects.get_or_create(
        version=version,
        code=code,
        defaults={"title_id": title, "level": KbliLevel.CLASS},
    )[0]


class RegionFactory(factory.django.DjangoModelFactory):
    """`RegionFactory()` is Dinoyo; pass `code` for another Malang kelurahan."""

    class Meta:
        model = Region

    code = "35.73.05.1004"

    @classmethod
    def _create(cls, model_class, *args, code="35.73.05.1004", **kwargs):
        return region(code)


class KbliFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Kbli

    code = "10391"

    @classmethod
    def _create(cls, model_class, *args, code="10391", title_id="Industri Tempe Kedelai", **kw):
        return kbli(code, title_id, kw.get("version", "2020"))


class SentraFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sentra
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Sentra {n}")
    kelurahan = factory.LazyFunction(lambda: region("35.73.05.1004"))


def _nik(n: int, female: bool = False) -> str:
    day = (n % 28) + 1 + (40 if female else 0)
    month = (n % 12) + 1
    return f"357305{day:02d}{month:02d}85{n % 9999 + 1:04d}"


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise
        skip_postgeneration_save = True

    class Params:
        submitted = factory.Trait(
            status=EnterpriseStatus.SUBMITTED,
            submitted_at=factory.LazyFunction(timezone.now),
            status_changed_at=factory.LazyFunction(timezone.now),
            draft_step=5,
        )
        verified = factory.Trait(
            status=EnterpriseStatus.VERIFIED,
            submitted_at=factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1)),
            verified_at=factory.LazyFunction(timezone.now),
            status_changed_at=factory.LazyFunction(timezone.now),
            draft_step=5,
        )
        needs_revision = factory.Trait(
            status=EnterpriseStatus.NEEDS_REVISION,
            submitted_at=factory.LazyFunction(timezone.now),
            status_changed_at=factory.LazyFunction(timezone.now),
            status_reason="Lengkapi alamat usaha.",
            draft_step=5,
        )

    owner = factory.SubFactory(UserFactory, role="ikm_owner")
    owner_name = factory.LazyAttribute(lambda o: o.owner.full_name if o.owner else "Siti Aminah")
    owner_nik = factory.Sequence(lambda n: _nik(n))
    owner_gender = Gender.MALE
    phone = factory.Sequence(lambda n: f"+62813{n:08d}")
    email = factory.LazyAttribute(lambda o: o.owner.email if o.owner else "")
    name = factory.Sequence(lambda n: f"Keripik Tempe Nomor {n}")
    brand = factory.Sequence(lambda n: f"Merek {n}")
    nib = factory.Sequence(lambda n: f"{9120000000000 + n:013d}")
    legal_form = LegalForm.UD
    year_established = 2015
    address = factory.Sequence(lambda n: f"Jl. MT Haryono No. {n + 1}")
    rt_rw = "001/002"
    kelurahan = factory.LazyFunction(lambda: region("35.73.05.1004"))
    postal_code = "65144"
    workers_male = 3
    workers_female = 2
    investment_idr = 50_000_000
    annual_turnover_idr = 300_000_000
    consent_version = "2026-11"
    consent_at = factory.LazyFunction(timezone.now)
    draft_step = 5

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        instance = model_class(*args, **kwargs)
        enterprise_derive(instance)
        instance.save()
        return instance

    @factory.post_generation
    def products(self, create, extracted, **kwargs):
        """`products=0` for none; an int for that many tempe products."""
        if not create:
            return
        count = 1 if extracted is None else extracted
        for i in range(count):
            ProductFactory(enterprise=self, position=i)


class VerifiedEnterpriseFactory(EnterpriseFactory):
    status = EnterpriseStatus.VERIFIED
    submitted_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))
    verified_at = factory.LazyFunction(timezone.now)
    status_changed_at = factory.LazyFunction(timezone.now)


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    enterprise = factory.SubFactory(EnterpriseFactory, products=0)
    kbli = factory.LazyFunction(kbli)
    name = factory.Sequence(lambda n: f"Keripik tempe rasa {n}")
    capacity_per_year = 1200
    capacity_unit = CapacityUnit.KG
    raw_materials = "Kedelai, tepung beras, minyak goreng"
    marketing_reach = MarketingReach.REGIONAL


class CertificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certification

    enterprise = factory.SubFactory(EnterpriseFactory)
    kind = CertificationKind.HALAL
    number = factory.Sequence(lambda n: f"ID35110000{n:06d}")
