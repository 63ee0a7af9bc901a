"""The world the journeys and the accessibility check share, built with the factories: the
Sampoerna-like programme (five tracks, stages of 100 and 20, a partner with an active agreement,
questions), its first stage with an open review window and the default rubric, and its people."""

from datetime import timedelta

from django.utils import timezone

from tests.factories import (
    AgreementFactory,
    ApplicationFactory,
    PartnerFactory,
    ProgramFactory,
    QuestionFactory,
    StageSettingsFactory,
    UserFactory,
    VerifiedEnterpriseFactory,
    partner_reviewer,
)
from training.choices import QuestionKind
from training.selection import services as selection_services

PROGRAMME = "Program Efisiensi Produk untuk IKM Kota Malang"
PARTNER = "PT HM Sampoerna Tbk"


def programme(**rules):
    """The open programme with its questions: one general (required), one for the first track."""
    partner = PartnerFactory(name=PARTNER)
    program = ProgramFactory(
        title=PROGRAMME,
        partner=partner,
        agreement=AgreementFactory(partner=partner),
        with_setup=True,
        rules=rules,
    )
    QuestionFactory(
        program=program,
        text="Apa kendala produksi terbesar usaha Anda?",
        kind=QuestionKind.LONG_TEXT,
        required=True,
        position=1,
    )
    QuestionFactory(
        program=program,
        text="Apakah usaha Anda sudah memakai mesin produksi?",
        kind=QuestionKind.YES_NO,
        required=True,
        track=program.tracks.order_by("position").first(),
        position=2,
    )
    stage = program.stages.get(order=1)
    StageSettingsFactory(stage=stage)
    selection_services.rubric_ensure_default(stage=stage)
    return program


def applicants(program, n: int, status: str = "eligible") -> list:
    """`n` applications of verified businesses, consented, submitted an hour apart (the earlier
    one wins a tie), each on one of the first tracks."""
    tracks = list(program.tracks.order_by("position"))
    base = timezone.now() - timedelta(days=3)
    return [
        ApplicationFactory(
            program=program,
            enterprise=VerifiedEnterpriseFactory(name=name),
            status=status,
            submitted_at=base + timedelta(hours=i),
            tracks=[tracks[i % 2]],
        )
        for i, name in enumerate(
            ["Keripik Tempe Sanan Jaya", "Batik Celaket", "Kripik Buah Dewi", "Topeng Malangan"][:n]
        )
    ]


def people(program) -> dict:
    """Office staff (with an authenticator: two sign-in steps) and the partner's reviewer."""
    return {
        "staff": UserFactory(
            role="office_staff", email="staf@example.id", full_name="Rina Staf", two_factor=True
        ),
        "reviewer": partner_reviewer(program),
    }
