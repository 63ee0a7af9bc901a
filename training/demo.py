"""Demo data: the Sampoerna-like programme with about 150 applications from the registry's demo
businesses (registry's loader runs first: INSTALLED_APPS lists it before training)."""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from ikm_portal.core.services import activity_log
from partnerships.models import Agreement, Partner
from registry.choices import EnterpriseStatus
from registry.models import Enterprise

from .choices import ApplicationStatus, ProgramMode, ProgramStatus, QuestionKind
from .eligibility import all_ok
from .models import (
    Answer,
    Application,
    EligibilityRules,
    Program,
    Question,
    Stage,
    Track,
    TrackChoice,
)
from .selectors import eligibility_check
from .services import application_consent_mirror

TITLE = "Program Efisiensi Produk untuk IKM Kota Malang"
TRACKS = [
    ("Efisiensi Produksi", "Tata letak, alur kerja dan pengurangan limbah produksi.", 30),
    ("Pengemasan & Label", "Desain kemasan, label, informasi nilai gizi dan merek.", 20),
    ("Pemasaran Digital", "Lokapasar, media sosial dan foto produk.", 20),
    ("Manajemen Keuangan", "Pembukuan sederhana, harga pokok produksi dan arus kas.", 15),
    ("Pengolahan Pangan", "Keamanan pangan, higiene dan pengawetan.", 15),
]
DEMO_OWNER_EMAIL = "pemilik@demo.ikm.id"
# A second demo owner whose verified business has not applied: for applying through the API.
API_OWNER_EMAIL = "pemilik2@demo.ikm.id"
TARGET_APPLICATIONS = 150


def _owner_accounts() -> None:
    """The registry's demo businesses were mostly registered by the office (no owner account).
    In the demo their owners have signed up and the office has linked their accounts, the way a
    confirmed claim does (through the registry's service, so the history shows it)."""
    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group

    from ikm_portal.accounts.choices import Role
    from ikm_portal.accounts.models import User
    from ikm_portal.core.demo import DEMO_PASSWORD
    from registry.choices import HistorySource
    from registry.services import enterprise_update

    staff = User.objects.filter(email="staf@demo.ikm.id").first()
    unowned = list(
        Enterprise.objects.filter(status=EnterpriseStatus.VERIFIED, owner__isnull=True).order_by(
            "pk"
        )[: TARGET_APPLICATIONS + 1]
    )
    # Hashing a password takes a second; the demo owners share one hash.
    password = make_password(DEMO_PASSWORD)
    group = Group.objects.get_or_create(name=Role.IKM_OWNER)[0]
    now = timezone.now()
    for index, enterprise in enumerate(unowned):
        email = API_OWNER_EMAIL if index == 0 else f"pemilik-{enterprise.pk}@demo.ikm.id"
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create(
                email=email,
                full_name=enterprise.owner_name or enterprise.name,
                phone=enterprise.phone,
                password=password,
                terms_version=settings.TERMS_VERSION,
                privacy_version=settings.PRIVACY_NOTICE_VERSION,
                terms_accepted_at=now,
            )
            user.groups.add(group)
            activity_log(target=user, action="user.created", to_state=Role.IKM_OWNER)
        enterprise_update(
            enterprise=enterprise,
            actor=staff,
            data={"owner": user},
            source=HistorySource.SYSTEM,
            check_editable=False,
        )


def _program(partner, agreement, now):
    program, created = Program.objects.get_or_create(
        title=TITLE,
        defaults={
            "description": (
                "Kerjasama Kemitraan Program Efisiensi Produk untuk IKM Kota Malang bersama PT HM "
                "Sampoerna Tbk. Pelatihan di Pusat Pelatihan Kewirausahaan Sampoerna (PPK "
                "Sampoerna), Sukorejo, Pasuruan: efisiensi produksi, pengemasan, pemasaran "
                "digital, keuangan dan pengolahan pangan. 100 IKM dibina pada tahap pertama; 20 "
                "di antaranya dipilih untuk pembinaan lanjutan."
            ),
            "partner": partner,
            "agreement": agreement,
            "partner_can_manage": True,
            "venue_name": "PPK Sampoerna",
            "venue_address": "Sukorejo, Pasuruan",
            "mode": ProgramMode.TATAP_MUKA,
            "opens_at": now - timedelta(days=20),
            "closes_at": now + timedelta(days=25),
            "starts_on": (now + timedelta(days=45)).date(),
            "ends_on": (now + timedelta(days=135)).date(),
            "status": ProgramStatus.OPEN,
            "status_changed_at": now - timedelta(days=20),
        },
    )
    if not created:
        return program, False
    # Small and medium industry of the city, operating for two years at least.
    EligibilityRules.objects.create(program=program, min_years_operating=2)
    for position, (name, description, seats) in enumerate(TRACKS):
        Track.objects.create(
            program=program, name=name, description=description, seats=seats, position=position
        )
    Stage.objects.create(
        program=program,
        order=1,
        name="Pembinaan",
        seats=100,
        response_deadline=now + timedelta(days=35),
    )
    Stage.objects.create(
        program=program,
        order=2,
        name="Pembinaan Lanjutan",
        seats=20,
        response_deadline=now + timedelta(days=100),
    )
    Question.objects.create(
        program=program,
        position=0,
        text="Apa masalah terbesar dalam proses produksi Anda saat ini?",
        kind=QuestionKind.LONG_TEXT,
        required=True,
    )
    Question.objects.create(
        program=program,
        position=1,
        text="Berapa hari dalam sebulan usaha Anda berproduksi?",
        kind=QuestionKind.NUMBER,
        required=False,
    )
    Question.objects.create(
        program=program,
        position=2,
        text="Apakah Anda bersedia mengikuti pelatihan menginap di Pasuruan?",
        kind=QuestionKind.YES_NO,
        required=True,
    )
    Question.objects.create(
        program=program,
        position=3,
        text="Kemasan apa yang Anda pakai sekarang?",
        kind=QuestionKind.SINGLE_CHOICE,
        options=["Plastik polos", "Plastik bermerek", "Kotak karton", "Botol/toples", "Belum ada"],
        track=Track.objects.get(program=program, name="Pengemasan & Label"),
    )
    activity_log(target=program, action="program.created", to_state=ProgramStatus.DRAFT)
    activity_log(
        target=program,
        action="program.open",
        from_state=ProgramStatus.DRAFT,
        to_state=program.status,
    )
    return program, True


PROBLEMS = [
    "Bahan baku sering terbuang karena penyimpanan kurang baik.",
    "Waktu produksi lama karena masih manual.",
    "Kemasan kurang menarik sehingga sulit masuk toko modern.",
    "Belum punya pembukuan, sulit menghitung keuntungan.",
    "Pemasaran masih dari mulut ke mulut.",
    "Kualitas produk belum seragam antar produksi.",
]


def _applications(program, now, rng: random.Random) -> int:
    tracks = list(program.tracks.order_by("position"))
    questions = {q.position: q for q in program.questions.all()}
    candidates = list(
        Enterprise.objects.filter(status=EnterpriseStatus.VERIFIED, owner__isnull=False)
        .exclude(owner__email__in=[DEMO_OWNER_EMAIL, API_OWNER_EMAIL])
        .exclude(applications__program=program)
        .select_related("kecamatan", "kelurahan", "owner")
        .order_by("pk")[:TARGET_APPLICATIONS]
    )
    created = 0
    for index, enterprise in enumerate(candidates):
        submitted_at = program.opens_at + timedelta(hours=6 + index * 3)
        results = eligibility_check(program=program, enterprise=enterprise)
        ok = all_ok(results)
        if index % 25 == 7:
            status = ApplicationStatus.DRAFT
        elif index % 31 == 11:
            status = ApplicationStatus.WITHDRAWN
        elif index % 17 == 3:
            status = ApplicationStatus.SUBMITTED
        else:
            status = ApplicationStatus.ELIGIBLE if ok else ApplicationStatus.INELIGIBLE
        choices = rng.sample(tracks, k=rng.choice([1, 2, 2, 3]))
        failed = " ".join(r.reason for r in results if not r.ok)
        application = Application.objects.create(
            program=program,
            enterprise=enterprise,
            applicant=enterprise.owner,
            status=status,
            status_changed_at=submitted_at + timedelta(minutes=1),
            status_reason=failed if status == ApplicationStatus.INELIGIBLE else "",
            consent_share_with_partner=status != ApplicationStatus.DRAFT or index % 2 == 0,
            consent_at=submitted_at - timedelta(minutes=20),
            consent_version="2026-11",
            eligibility=[r.as_dict() for r in results],
            eligibility_ok=ok,
            eligibility_checked_at=submitted_at,
            submitted_at=None if status == ApplicationStatus.DRAFT else submitted_at,
            withdrawn_at=submitted_at + timedelta(days=2)
            if status == ApplicationStatus.WITHDRAWN
            else None,
        )
        if application.consent_share_with_partner:
            # My consents lists it (privacy app), as an application made on the site would.
            application_consent_mirror(application=application, actor=None)
        TrackChoice.objects.bulk_create(
            [
                TrackChoice(application=application, track=track, preference=i + 1)
                for i, track in enumerate(choices)
            ]
        )
        answers = [
            Answer(application=application, question=questions[0], value=rng.choice(PROBLEMS)),
            Answer(application=application, question=questions[1], value=rng.randint(8, 26)),
            Answer(application=application, question=questions[2], value=rng.random() < 0.9),
        ]
        if questions[3].track in choices:
            answers.append(
                Answer(
                    application=application,
                    question=questions[3],
                    value=rng.choice(questions[3].options),
                )
            )
        Answer.objects.bulk_create(answers)
        if status != ApplicationStatus.DRAFT:
            activity_log(
                target=application,
                action="application.submit",
                actor=enterprise.owner,
                from_state=ApplicationStatus.DRAFT,
                to_state=ApplicationStatus.SUBMITTED,
            )
        if status in (ApplicationStatus.ELIGIBLE, ApplicationStatus.INELIGIBLE):
            activity_log(
                target=application,
                action=f"application.{status}",
                from_state=ApplicationStatus.SUBMITTED,
                to_state=status,
                reason=application.status_reason,
                data={"automatic": True},
            )
        created += 1
    return created


def _second_program(now):
    """A programme of another partner, so that partner users of another programme exist."""
    partner = Partner.objects.filter(name__startswith="Universitas Brawijaya").first()
    if partner is None:
        return None
    program, created = Program.objects.get_or_create(
        title="Pendampingan Desain Kemasan IKM Pangan",
        defaults={
            "description": "Pendampingan desain kemasan dan label bersama LPPM Universitas "
            "Brawijaya.",
            "partner": partner,
            "venue_name": "Gedung Kartini",
            "venue_address": "Jl. Kartini, Klojen, Kota Malang",
            "mode": ProgramMode.CAMPURAN,
            "opens_at": now + timedelta(days=30),
            "closes_at": now + timedelta(days=60),
            "starts_on": (now + timedelta(days=75)).date(),
            "ends_on": (now + timedelta(days=120)).date(),
            "status": ProgramStatus.DRAFT,
        },
    )
    if created:
        EligibilityRules.objects.create(program=program, kbli_divisions=["10", "11"])
        Track.objects.create(program=program, name="Desain Kemasan", seats=15, position=0)
        Track.objects.create(program=program, name="Label & Informasi Gizi", seats=15, position=1)
        Stage.objects.create(program=program, order=1, name="Pendampingan", seats=30)
    return program


@transaction.atomic
def load_demo(stdout):
    partner = Partner.objects.filter(name="PT HM Sampoerna Tbk").first()
    agreement = Agreement.objects.filter(partner=partner).first() if partner else None
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    _owner_accounts()
    program, created = _program(partner, agreement, now)
    # Applications come with the programme: a second run adds none (other demos may have added
    # owners and businesses meanwhile).
    count = _applications(program, now, random.Random(2017)) if created else 0
    _second_program(now)
    stdout.write(
        f"Programmes: {Program.objects.count()}; applications to “{TITLE}”: "
        f"{program.applications.count()} ({count} new)"
    )
    return [("ikm_owner", API_OWNER_EMAIL)]
