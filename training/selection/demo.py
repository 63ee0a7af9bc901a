"""Demo data of review and selection: the current batch (Angkatan 2026) of the Sampoerna-like
programme, running now, its selection done through the services.

150 applicants (the register's verified demo businesses) are reviewed by the partner's four
reviewers, two reviews each; stage 1 selects 100 with seats per track and a waitlist of 10; the
decisions are published; five selected applicants decline and three let their offer lapse, and
each freed seat goes to the next on the waitlist; stage 2 (its own rubric) selects 20 among the
participants who accepted, with a waitlist of 3. The demo owner (pemilik@demo.ikm.id) is one of
the 20 and still has to answer the stage-2 offer: they can accept it on the page.

Participation's demo tells the previous batch (Angkatan 2025, completed); the open programme of
issue 5's demo (the next batch) stays open for applications. Runs after training.demo (the
registry's and the partners' demo data exist by then)."""

import random
from collections import Counter
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from ikm_portal.accounts.services import user_create
from ikm_portal.core.services import activity_log
from partnerships.models import Agreement, Partner
from registry.choices import EnterpriseStatus
from registry.models import Enterprise

from ..choices import ApplicationStatus, ProgramMode, ProgramStatus
from ..eligibility import all_ok
from ..models import Application, EligibilityRules, Program, Stage, Track, TrackChoice
from ..selectors import eligibility_check
from . import services
from .choices import Decision

TITLE = "Program Efisiensi Produk untuk IKM Kota Malang (Angkatan 2026)"
DEMO_OWNER_EMAIL = "pemilik@demo.ikm.id"
REVIEWER_EMAILS = [
    "reviewer@demo.ikm.id",
    "reviewer2@demo.ikm.id",
    "reviewer3@demo.ikm.id",
    "reviewer4@demo.ikm.id",
]
TRACKS = [
    ("Efisiensi Produksi", "Tata letak, alur kerja dan pengurangan limbah produksi.", 30),
    ("Pengemasan & Label", "Desain kemasan, label, informasi nilai gizi dan merek.", 20),
    ("Pemasaran Digital", "Lokapasar, media sosial dan foto produk.", 20),
    ("Manajemen Keuangan", "Pembukuan sederhana, harga pokok produksi dan arus kas.", 15),
    ("Pengolahan Pangan", "Keamanan pangan, higiene dan pengawetan.", 15),
]
STAGE2_CRITERIA = [
    {
        "key": "kemajuan_penerapan",
        "label_id": "Kemajuan penerapan hasil pelatihan",
        "label_en": "Progress in applying the training",
        "description": "Perubahan nyata di tempat produksi sejak pembinaan tahap 1.",
        "weight": 3,
    },
    {
        "key": "potensi_pertumbuhan",
        "label_id": "Potensi pertumbuhan",
        "label_en": "Growth potential",
        "description": "Pasar, kapasitas dan rencana usaha setahun ke depan.",
        "weight": 2,
    },
    {
        "key": "kesiapan_pendampingan",
        "label_id": "Kesiapan pendampingan lanjutan",
        "label_en": "Readiness for further coaching",
        "description": "Waktu, tenaga dan komitmen untuk pendampingan intensif.",
        "weight": 2,
    },
]
COMMENTS = [
    "Proses produksi masih manual; potensi penghematan bahan cukup besar.",
    "Usaha tertib, pencatatan sudah ada; pemilik bersemangat ikut pelatihan.",
    "Kemasan belum layak untuk toko modern; perlu pendampingan desain.",
    "Tenaga kerja banyak dari lingkungan sekitar; dampak pembinaan terasa luas.",
    "Produksi belum stabil sepanjang tahun; komitmen perlu dipastikan.",
]


def _score(rng: random.Random, quality: float) -> int:
    if quality >= 5:
        return 5  # the demo owner's business: top marks, so the story can be followed
    return max(1, min(5, round(quality + rng.gauss(0, 0.6))))


def _owner_for(enterprise: Enterprise):
    """A demo business without an owner account gets one (no password: it cannot sign in)."""
    if enterprise.owner_id:
        return enterprise.owner
    User = get_user_model()
    email = f"ikm{enterprise.pk}@demo.ikm.id"
    user = User.objects.filter(email__iexact=email).first() or user_create(
        email=email,
        password=None,
        full_name=enterprise.owner_name or enterprise.name,
        role="ikm_owner",
    )
    Enterprise.objects.filter(pk=enterprise.pk).update(owner=user)
    enterprise.owner = user
    return user


def _program(partner, agreement, now) -> Program:
    program = Program.objects.create(
        title=TITLE,
        description=(
            "Angkatan 2026 Kerjasama Kemitraan Program Efisiensi Produk untuk IKM Kota Malang "
            "bersama PT HM Sampoerna Tbk: 100 IKM dibina di PPK Sampoerna, Sukorejo, Pasuruan; "
            "20 di antaranya dipilih untuk pembinaan lanjutan."
        ),
        partner=partner,
        agreement=agreement,
        partner_can_manage=True,
        venue_name="PPK Sampoerna",
        venue_address="Sukorejo, Pasuruan",
        mode=ProgramMode.TATAP_MUKA,
        opens_at=now - timedelta(days=90),
        closes_at=now - timedelta(days=60),
        starts_on=(now - timedelta(days=30)).date(),
        ends_on=(now + timedelta(days=90)).date(),
        status=ProgramStatus.RUNNING,
        status_changed_at=now - timedelta(days=30),
    )
    EligibilityRules.objects.create(program=program)
    for position, (name, description, seats) in enumerate(TRACKS):
        Track.objects.create(
            program=program, name=name, description=description, seats=seats, position=position
        )
    Stage.objects.create(
        program=program,
        order=1,
        name="Pembinaan",
        seats=100,
        response_deadline=now + timedelta(days=7),
    )
    Stage.objects.create(
        program=program,
        order=2,
        name="Pembinaan Lanjutan",
        seats=20,
        response_deadline=now + timedelta(days=10),
    )
    activity_log(target=program, action="program.created", to_state=ProgramStatus.DRAFT)
    return program


def _applications(program, enterprises, rng: random.Random) -> dict[int, float]:
    """150 applications in review, with a hidden "quality" that drives the demo scores."""
    tracks = list(program.tracks.order_by("position"))
    quality = {}
    for index, enterprise in enumerate(enterprises):
        owner = _owner_for(enterprise)
        submitted_at = program.opens_at + timedelta(hours=5 + index * 4)
        results = eligibility_check(program=program, enterprise=enterprise)
        application = Application.objects.create(
            program=program,
            enterprise=enterprise,
            applicant=owner,
            status=ApplicationStatus.IN_REVIEW,
            status_changed_at=program.closes_at + timedelta(days=2),
            consent_share_with_partner=True,
            consent_at=submitted_at - timedelta(minutes=15),
            consent_version="2026-11",
            eligibility=[r.as_dict() for r in results],
            eligibility_ok=all_ok(results),
            eligibility_checked_at=submitted_at,
            submitted_at=submitted_at,
        )
        chosen = rng.sample(tracks, k=rng.choice([1, 2, 2, 3, 3]))
        TrackChoice.objects.bulk_create(
            [
                TrackChoice(application=application, track=track, preference=i + 1)
                for i, track in enumerate(chosen)
            ]
        )
        is_demo_owner = owner.email.lower() == DEMO_OWNER_EMAIL
        quality[application.pk] = 5.0 if is_demo_owner else rng.uniform(1.4, 4.9)
    return quality


def _review_stage(stage, staff, quality, rng, *, criteria_keys, now):
    services.assignments_auto(stage=stage, actor=staff)
    for review in stage.reviews.select_related("reviewer").order_by("pk"):
        q = quality[review.application_id]
        scores = {key: _score(rng, q) for key in criteria_keys}
        services.review_save(
            review=review,
            actor=review.reviewer,
            scores=scores,
            comment=rng.choice(COMMENTS),
            now=now,
        )


def _respond_all(stage, rng, *, decline=0, lapse=0, keep_open=(), now) -> set[int]:
    """The open offers are answered: `decline` of them declined, `lapse` left unanswered (they
    lapse at their deadline), those of `keep_open` applications left for the demo, the rest
    accepted. Returns the applications left unanswered."""
    offers = list(
        stage.decisions.filter(status=Decision.SELECTED)
        .select_related("application__enterprise__owner")
        .order_by("rank")
    )
    rng.shuffle(offers)
    silent = set()
    for decision in offers:
        application = decision.application
        if application.pk in keep_open:
            continue
        owner = application.enterprise.owner
        if decline > 0:
            decline -= 1
            services.offer_respond(application=application, actor=owner, accept=False, now=now)
        elif lapse > 0:
            lapse -= 1
            silent.add(application.pk)
        else:
            services.offer_respond(application=application, actor=owner, accept=True, now=now)
    return silent


def _verified_businesses(staff, wanted: int) -> list[Enterprise]:
    """The register's verified demo businesses; if there are fewer than wanted, the office
    verifies some of the submitted ones (through the registry's service)."""
    from registry.services import enterprise_verify

    verified = Enterprise.objects.filter(status=EnterpriseStatus.VERIFIED)
    missing = wanted - verified.count()
    if missing > 0:
        for enterprise in Enterprise.objects.filter(status=EnterpriseStatus.SUBMITTED).order_by(
            "pk"
        )[:missing]:
            enterprise_verify(enterprise=enterprise, actor=staff)
    return list(
        Enterprise.objects.filter(status=EnterpriseStatus.VERIFIED)
        .select_related("owner", "kecamatan", "kelurahan")
        .order_by("pk")[:wanted]
    )


@transaction.atomic
def load_demo(stdout):
    if Program.objects.filter(title=TITLE).exists():
        stdout.write(f"selection: “{TITLE}” already loaded")
        return []
    User = get_user_model()
    reviewers = list(User.objects.filter(email__in=REVIEWER_EMAILS))
    staff = User.objects.filter(email__iexact="staf@demo.ikm.id").first()
    partner = Partner.objects.filter(name="PT HM Sampoerna Tbk").first()
    if partner is None or staff is None or len(reviewers) < 4:
        stdout.write("selection: the partners' and accounts' demo data are missing; skipped")
        return []
    agreement = Agreement.objects.filter(partner=partner).first()
    enterprises = _verified_businesses(staff, 150)
    if len(enterprises) < 120:
        stdout.write("selection: fewer than 120 verified demo businesses; skipped")
        return []
    started = timezone.now()
    now = started.replace(second=0, microsecond=0)
    rng = random.Random(2017)
    program = _program(partner, agreement, now)
    quality = _applications(program, enterprises, rng)
    stage1, stage2 = program.stages.order_by("order")

    # Stage 1: rubric, settings, reviews by the four partner reviewers.
    services.rubric_ensure_default(stage=stage1)
    services.stage_settings_update(
        stage=stage1,
        actor=staff,
        data={
            "review_opens_at": now - timedelta(days=55),
            "review_closes_at": now + timedelta(hours=1),
            "reviewers_per_application": 2,
            "waitlist_length": 10,
            "use_track_seats": True,
            "tie_breakers": ["submitted_at", "workers"],
        },
    )
    _review_stage(
        stage1,
        staff,
        quality,
        rng,
        criteria_keys=["potensi_efisiensi", "kesiapan_usaha", "komitmen", "dampak_tenaga_kerja"],
        now=now,
    )
    services.selection_preview(stage=stage1, actor=staff, seed=2017)
    services.selection_publish(stage=stage1, actor=staff, now=now)
    demo_owner_apps = set(
        Application.objects.filter(
            program=program, enterprise__owner__email__iexact=DEMO_OWNER_EMAIL
        ).values_list("pk", flat=True)
    )
    for pk in demo_owner_apps:
        application = Application.objects.select_related("enterprise__owner").get(pk=pk)
        if services.open_offer(application) is not None:
            services.offer_respond(
                application=application, actor=application.enterprise.owner, accept=True, now=now
            )
    # Five decline (their seats go to the waitlist at once; those offers are accepted), three
    # never answer: their offers lapse at the deadline and the waitlist moves up again.
    silent = _respond_all(stage1, rng, decline=5, lapse=3, now=now)
    _respond_all(stage1, rng, keep_open=silent, now=now)
    lapse_at = stage1.response_deadline + timedelta(minutes=1)
    services.offers_lapse_due(now=lapse_at)
    _respond_all(stage1, rng, now=lapse_at)

    # Stage 2 among those who accepted, with its own rubric.
    services.rubric_update(stage=stage2, actor=staff, criteria=STAGE2_CRITERIA)
    services.stage_settings_update(
        stage=stage2,
        actor=staff,
        data={
            "review_opens_at": now - timedelta(days=1),
            "review_closes_at": now + timedelta(hours=1),
            "reviewers_per_application": 2,
            "waitlist_length": 3,
            "use_track_seats": False,
            "others_scores": "always",
        },
    )
    for pk in quality:
        quality[pk] = min(5.0, max(1.0, quality[pk] + rng.gauss(0, 0.7)))
    for pk in demo_owner_apps:
        quality[pk] = 5.0
    _review_stage(
        stage2,
        staff,
        quality,
        rng,
        criteria_keys=[c["key"] for c in STAGE2_CRITERIA],
        now=now,
    )
    services.selection_preview(stage=stage2, actor=staff, seed=2018)
    services.selection_publish(stage=stage2, actor=staff, now=now)
    _respond_all(stage2, rng, decline=2, keep_open=demo_owner_apps, now=now)
    _respond_all(stage2, rng, keep_open=demo_owner_apps, now=now)

    # Close the review windows now that the decisions are out.
    for stage in (stage1, stage2):
        config = services.stage_settings_get(stage)
        config.review_closes_at = now
        config.save(update_fields=["review_closes_at"])
    # The messages are in the outbox and the in-app inbox; the e-mails to the invented applicants
    # are not sent (the console mail backend would print hundreds of them).
    from ikm_portal.notifications.models import Notification

    Notification.objects.filter(channel="email", status="queued", created_at__gte=started).update(
        status="cancelled", last_error="Demo data: not sent."
    )
    counts = {
        stage.order: dict(sorted(Counter(stage.decisions.values_list("status", flat=True)).items()))
        for stage in (stage1, stage2)
    }
    stdout.write(
        f"selection: “{TITLE}”: {len(quality)} applicants, {stage1.reviews.count()} reviews "
        f"at stage 1, {stage2.reviews.count()} at stage 2; stage 1 {counts[1]}; "
        f"stage 2 {counts[2]}"
    )
    return []
