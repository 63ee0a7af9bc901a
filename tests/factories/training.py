"""Training factories.

`ProgramFactory()` is an open programme (window open now) run with a new partner, with default
eligibility rules. `ProgramFactory(with_setup=True)` adds the five Sampoerna-like tracks and the
stages of 100 and 20. `ApplicationFactory()` is a draft of a verified business of a new owner;
pass `status=` (and `consent_share_with_partner=True`) for later states."""

from datetime import timedelta

import factory
from django.utils import timezone

from training.choices import ApplicationStatus, ProgramMode, ProgramStatus, QuestionKind
from training.models import (
    Answer,
    Application,
    EligibilityRules,
    Program,
    Question,
    Stage,
    Track,
    TrackChoice,
)

from .partnerships import PartnerFactory
from .registry import VerifiedEnterpriseFactory

TRACK_NAMES = [
    "Efisiensi Produksi",
    "Pengemasan & Label",
    "Pemasaran Digital",
    "Manajemen Keuangan",
    "Pengolahan Pangan",
]


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Program Efisiensi Produk {n}")
    description = "Pelatihan efisiensi produk bagi IKM."
    partner = factory.SubFactory(PartnerFactory)
    venue_name = "PPK Sampoerna"
    venue_address = "Sukorejo, Pasuruan"
    mode = ProgramMode.TATAP_MUKA
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
    starts_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=45))
    ends_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=90))
    status = ProgramStatus.OPEN

    @factory.post_generation
    def rules(self, create, extracted, **kwargs):
        if create:
            EligibilityRules.objects.create(program=self, **(extracted or {}))

    @factory.post_generation
    def with_setup(self, create, extracted, **kwargs):
        if create and extracted:
            for position, name in enumerate(TRACK_NAMES):
                Track.objects.create(program=self, name=name, seats=20, position=position)
            Stage.objects.create(program=self, order=1, name="Pembinaan", seats=100)
            Stage.objects.create(program=self, order=2, name="Pembinaan Lanjutan", seats=20)


class TrackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Track

    program = factory.SubFactory(ProgramFactory)
    name = factory.Sequence(lambda n: f"Jenis Pelatihan {n}")
    seats = 20
    position = factory.Sequence(int)


class StageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stage

    program = factory.SubFactory(ProgramFactory)
    order = 1
    name = "Pembinaan"
    seats = 100


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    program = factory.SubFactory(ProgramFactory)
    text = factory.Sequence(lambda n: f"Pertanyaan {n}?")
    kind = QuestionKind.SHORT_TEXT
    required = False
    position = factory.Sequence(int)


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application
        skip_postgeneration_save = True

    program = factory.SubFactory(ProgramFactory, with_setup=True)
    enterprise = factory.SubFactory(VerifiedEnterpriseFactory)
    applicant = factory.LazyAttribute(lambda o: o.enterprise.owner)
    status = ApplicationStatus.DRAFT
    consent_share_with_partner = True
    # Never given: no date (a withdrawn consent keeps its date: pass consent_at and
    # consent_withdrawn_at for that).
    consent_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.consent_share_with_partner else None
    )
    consent_version = "2026-11"
    eligibility = factory.LazyFunction(
        lambda: [{"rule": "verified", "ok": True, "reason": "Usaha telah diverifikasi."}]
    )
    eligibility_ok = True
    submitted_at = factory.LazyAttribute(
        lambda o: None if o.status == ApplicationStatus.DRAFT else timezone.now()
    )

    @factory.post_generation
    def tracks(self, create, extracted, **kwargs):
        """`tracks=[track, …]`; by default the programme's first track, if any."""
        if not create:
            return
        chosen = extracted if extracted is not None else list(self.program.tracks.all()[:1])
        for i, track in enumerate(chosen):
            TrackChoice.objects.create(application=self, track=track, preference=i + 1)


class AnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Answer

    application = factory.SubFactory(ApplicationFactory)
    question = factory.SubFactory(
        QuestionFactory, program=factory.SelfAttribute("..application.program")
    )
    value = "Jawaban"
