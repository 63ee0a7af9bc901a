"""Demo data of participation and outcomes.

The programme that training.demo loads is open for applications now, so nothing has happened in
it yet. The story of a whole run is told by its previous edition, "Angkatan 2025", which this
module loads as a completed programme of the same partner: about 120 applications, 100
businesses coached in stage 1 (five tracks) and 20 of them in stage 2, weekly sessions with their
attendance (marked by facilitators and by QR check-in), completions and certificates, baseline
and end-line figures of participants and of eligible applicants who were not selected, so that
the impact report shows the three groups side by side. The demo owner (pemilik@demo.ikm.id)
took part and finds their certificate and a follow-up survey to answer.

The selection's demo runs its own edition ("Angkatan I", running now) and enrols its participants
through participant_enroll: that programme gets its sessions so far and of the next weeks, their
attendance, and most baseline answers. Everything goes through the services, with messages switched off (quiet).
Running the loader twice changes nothing."""

import math
import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from ikm_portal.core.services import activity_log
from partnerships.models import Agreement, Partner
from registry.choices import EnterpriseStatus
from registry.models import Enterprise
from training.choices import ApplicationStatus, ProgramMode, ProgramStatus
from training.models import (
    Application,
    EligibilityRules,
    OutcomeSurvey,
    Participant,
    Program,
    Session,
    Stage,
    Track,
    TrackChoice,
)

from . import services
from .choices import OutcomeStatus, OutcomeWave, ParticipantStatus
from .models import Attendance, CompletionRule

PAST_TITLE = "Program Efisiensi Produk untuk IKM Kota Malang (Angkatan 2025)"
DEMO_OWNER_EMAIL = "pemilik@demo.ikm.id"
STAFF_EMAIL = "staf@demo.ikm.id"
TRACKS = [
    ("Efisiensi Produksi", 30, "Ir. Bambang Suryanto (PPK Sampoerna)"),
    ("Pengemasan & Label", 20, "Dian Kusumawati, S.Ds."),
    ("Pemasaran Digital", 20, "Fajar Nugroho, S.Kom."),
    ("Manajemen Keuangan", 15, "Rina Wulandari, S.E., Ak."),
    ("Pengolahan Pangan", 15, "Dr. Hendra Wijaya, M.Sc."),
]
COMMON_SESSIONS = [
    "Pembukaan dan pemetaan masalah produksi",
    "Harga pokok produksi dan pencatatan sederhana",
    "Keamanan pangan, higiene dan perizinan (PIRT, halal)",
    "Presentasi rencana perbaikan usaha",
]
TRACK_SESSIONS = ["Materi inti I", "Materi inti II", "Praktik di lapangan", "Pendampingan kelompok"]
STAGE2_SESSIONS = [
    "Kunjungan dan pendampingan di tempat usaha",
    "Rencana bisnis dan akses pembiayaan",
    "Temu pasar dengan pembeli dan lokapasar",
    "Evaluasi dan rencana tindak lanjut",
]
CHANGES = {
    "stage_2": [
        "Tata letak produksi diubah, waktu produksi per hari lebih singkat.",
        "Kemasan baru membuat produk diterima toko oleh-oleh.",
        "Mulai berjualan di lokapasar, pesanan dari luar kota bertambah.",
        "Pembukuan rapi, harga jual dihitung ulang dari harga pokok.",
    ],
    "stage_1": [
        "Bahan baku lebih hemat karena ditimbang dan dicatat.",
        "Label produk lebih jelas, pembeli lebih percaya.",
        "Mulai mencatat pemasukan dan pengeluaran setiap hari.",
        "Belum banyak berubah, masih menyesuaikan alat produksi.",
    ],
    "not_selected": [
        "Usaha berjalan seperti biasa.",
        "Harga bahan baku naik, keuntungan sedikit turun.",
        "Mencoba berjualan lewat media sosial.",
    ],
}
# Mean change per group (share of the baseline) and its spread: a plausible story, not data.
EFFECTS = {
    "stage_2": {
        "turnover": 0.28,
        "cost": -0.12,
        "price": 0.05,
        "marketplace": 0.5,
        "export": 0.1,
        "halal": 0.35,
        "worker": 0.4,
    },
    "stage_1": {
        "turnover": 0.12,
        "cost": -0.06,
        "price": 0.03,
        "marketplace": 0.3,
        "export": 0.02,
        "halal": 0.2,
        "worker": 0.2,
    },
    "not_selected": {
        "turnover": 0.04,
        "cost": 0.0,
        "price": 0.02,
        "marketplace": 0.1,
        "export": 0.0,
        "halal": 0.05,
        "worker": 0.1,
    },
}
UNITS = ["pcs", "pak", "kg", "botol", "lusin"]


def _aware(day, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _round(value: float, step: int) -> Decimal:
    return Decimal(max(step, round(value / step) * step))


# --- The programme, its applications and participants -------------------------------------------


def _program(today):
    partner = Partner.objects.filter(name="PT HM Sampoerna Tbk").first()
    agreement = Agreement.objects.filter(partner=partner).first() if partner else None
    opens = _aware(today - timedelta(days=330), 8)
    program = Program.objects.create(
        title=PAST_TITLE,
        description=(
            "Angkatan sebelumnya Program Efisiensi Produk bersama PT HM Sampoerna Tbk: 100 IKM "
            "dibina pada tahap pertama di lima jenis pelatihan, 20 di antaranya dipilih untuk "
            "pembinaan lanjutan. Program telah selesai; laporan dampaknya membandingkan angka "
            "usaha sebelum dan sesudah pelatihan."
        ),
        partner=partner,
        agreement=agreement,
        partner_can_manage=True,
        venue_name="PPK Sampoerna",
        venue_address="Sukorejo, Pasuruan",
        mode=ProgramMode.TATAP_MUKA,
        opens_at=opens,
        closes_at=opens + timedelta(days=30),
        starts_on=today - timedelta(days=260),
        ends_on=today - timedelta(days=75),
        status=ProgramStatus.RUNNING,
        status_changed_at=opens + timedelta(days=60),
    )
    EligibilityRules.objects.create(program=program)
    for position, (name, seats, _facilitator) in enumerate(TRACKS):
        Track.objects.create(program=program, name=name, seats=seats, position=position)
    Stage.objects.create(program=program, order=1, name="Pembinaan", seats=100)
    Stage.objects.create(program=program, order=2, name="Pembinaan Lanjutan", seats=20)
    CompletionRule.objects.create(
        program=program,
        min_attendance_percent=80,
        require_endline=True,
        follow_up_months=6,
        signatory_name="Drs. Eko Sulistyo, M.Si.",
        signatory_title="Kepala Dinas Koperasi, Perindustrian dan Perdagangan Kota Malang",
    )
    for action, source, target in (
        ("program.created", "", ProgramStatus.DRAFT),
        ("program.open", ProgramStatus.DRAFT, ProgramStatus.OPEN),
        ("program.close", ProgramStatus.OPEN, ProgramStatus.REVIEWING),
        ("program.start", ProgramStatus.REVIEWING, ProgramStatus.RUNNING),
    ):
        activity_log(target=program, action=action, from_state=source, to_state=target)
    return program


def _candidates():
    """Verified businesses, the demo owner's first (so their login shows a finished run)."""
    base = Enterprise.objects.filter(status=EnterpriseStatus.VERIFIED).select_related("owner")
    mine = list(base.filter(owner__email__iexact=DEMO_OWNER_EMAIL).order_by("pk")[:1])
    others = list(base.exclude(pk__in=[e.pk for e in mine]).order_by("-pk")[:119])
    return mine + others


def _applications(program, rng):
    """120 applications: 100 accepted, 15 eligible but not selected, 5 not eligible."""
    tracks = list(program.tracks.order_by("position"))
    submitted = program.opens_at + timedelta(days=2)
    rows = []
    for index, enterprise in enumerate(_candidates()):
        if index < 100:
            status = ApplicationStatus.ACCEPTED
        elif index < 115:
            status = ApplicationStatus.NOT_SELECTED
        else:
            status = ApplicationStatus.INELIGIBLE
        first = tracks[0] if index == 0 else rng.choices(tracks, weights=[30, 20, 20, 15, 15])[0]
        others = [t for t in tracks if t != first]
        choices = [first, *rng.sample(others, k=rng.choice([0, 1, 2]))]
        application = Application.objects.create(
            program=program,
            enterprise=enterprise,
            applicant=enterprise.owner,
            status=status,
            status_changed_at=submitted + timedelta(days=40),
            status_reason="Ukuran usaha di luar ketentuan program."
            if status == ApplicationStatus.INELIGIBLE
            else "",
            consent_share_with_partner=True,
            consent_at=submitted - timedelta(hours=1),
            consent_version="2026-11",
            eligibility=[{"rule": "verified", "ok": True, "reason": "Usaha telah diverifikasi."}],
            eligibility_ok=status != ApplicationStatus.INELIGIBLE,
            eligibility_checked_at=submitted,
            submitted_at=submitted + timedelta(hours=index),
        )
        TrackChoice.objects.bulk_create(
            [
                TrackChoice(application=application, track=t, preference=i + 1)
                for i, t in enumerate(choices)
            ]
        )
        rows.append(application)
    return rows


def _enrol(program, applications, rng, staff):
    """Stage 1 for the 100 accepted (in their first-choice track), stage 2 for 20 of them."""
    stage1, stage2 = program.stages.get(order=1), program.stages.get(order=2)
    accepted = [a for a in applications if a.status == ApplicationStatus.ACCEPTED]
    participants = {}
    for application in accepted:
        participants[application.pk] = [
            services.participant_enroll(application=application, stage=stage1, actor=staff)
        ]
    later = [accepted[0], *rng.sample(accepted[1:], k=19)]
    for application in later:
        participants[application.pk].append(
            services.participant_enroll(application=application, stage=stage2, actor=staff)
        )
    when = _aware(program.starts_on, 7)
    Participant.objects.filter(program=program, stage=stage1).update(
        enrolled_at=when - timedelta(days=20), status_changed_at=when - timedelta(days=20)
    )
    Participant.objects.filter(program=program, stage=stage2).update(
        enrolled_at=when + timedelta(days=75), status_changed_at=when + timedelta(days=75)
    )
    return participants, {a.pk for a in later}


# --- Sessions and attendance --------------------------------------------------------------------


def _schedule(program, staff):
    stage1, stage2 = program.stages.get(order=1), program.stages.get(order=2)
    tracks = list(program.tracks.order_by("position"))
    start = program.starts_on
    sessions = []
    for week in range(8):
        day = start + timedelta(days=7 * week)
        if week % 2 == 0:
            sessions.append(
                services.session_create(
                    program=program,
                    actor=staff,
                    stage=stage1,
                    track=None,
                    title=COMMON_SESSIONS[week // 2],
                    starts_at=_aware(day, 8),
                    ends_at=_aware(day, 12),
                    place="PPK Sampoerna, Sukorejo, Pasuruan",
                    facilitator="Tim PPK Sampoerna dan Diskopindag",
                )
            )
        else:
            for track, (_name, _seats, facilitator) in zip(tracks, TRACKS, strict=True):
                sessions.append(
                    services.session_create(
                        program=program,
                        actor=staff,
                        stage=stage1,
                        track=track,
                        title=f"{track.name}: {TRACK_SESSIONS[week // 2]}",
                        starts_at=_aware(day, 13),
                        ends_at=_aware(day, 16),
                        place="PPK Sampoerna, Sukorejo, Pasuruan",
                        facilitator=facilitator,
                    )
                )
    for i, title in enumerate(STAGE2_SESSIONS):
        day = start + timedelta(days=84 + 21 * i)
        sessions.append(
            services.session_create(
                program=program,
                actor=staff,
                stage=stage2,
                track=None,
                title=title,
                starts_at=_aware(day, 9),
                ends_at=_aware(day, 15),
                place="Gedung Kartini, Kota Malang" if i != 0 else "Di tempat usaha peserta",
                facilitator="Tim Pendamping PPK Sampoerna",
                hours=Decimal("5"),
            )
        )
    return sessions


def _attendance(sessions, diligence, rng, marker):
    """Facilitators mark every session; a third of the present checked in by QR."""
    for session in sessions:
        expected = services.sessions_expected_participants(session=session)
        marks = []
        for participant in expected:
            p = diligence[participant.application_id]
            roll = rng.random()
            if roll < p * 0.88:
                status = "present"
            elif roll < p:
                status = "late"
            elif roll < p + (1 - p) * 0.35:
                status = "excused"
            else:
                status = "absent"
            marks.append({"participant": participant.pk, "status": status})
        if marks:
            services.attendance_mark(
                session=session, marks=marks, actor=marker, now=session.ends_at
            )
        qr = list(
            Attendance.objects.filter(session=session, status="present").values_list(
                "pk", flat=True
            )
        )
        for pk in qr[::3]:
            Attendance.objects.filter(pk=pk).update(
                method="qr", marked_at=session.starts_at + timedelta(minutes=rng.randint(-20, 10))
            )


# --- Outcome figures ------------------------------------------------------------------------------


def _baseline_figures(rng):
    turnover = math.exp(rng.gauss(math.log(12_000_000), 0.6))
    price = rng.choice([5000, 8000, 10000, 12000, 15000, 20000, 25000, 35000, 50000])
    cost = price * rng.uniform(0.55, 0.8)
    markets = ["local"]
    if rng.random() < 0.5:
        markets.append("social_media")
    if rng.random() < 0.2:
        markets.append("marketplace")
    if rng.random() < 0.15:
        markets.append("modern_retail")
    return {
        "monthly_turnover": _round(turnover, 100_000),
        "selling_price": Decimal(price),
        "unit_cost": _round(cost, 100),
        "monthly_output": _round(turnover / price, 10),
        "output_unit": rng.choice(UNITS),
        "workers": rng.randint(2, 15),
        "certifications": ["pirt"] if rng.random() < 0.5 else [],
        "markets": sorted(markets),
        "what_changed": "",
    }


def _later_figures(before, group, rng):
    effect = EFFECTS[group]
    turnover = float(before["monthly_turnover"]) * (1 + rng.gauss(effect["turnover"], 0.12))
    price = float(before["selling_price"]) * (1 + max(0.0, rng.gauss(effect["price"], 0.03)))
    cost = float(before["unit_cost"]) * (1 + rng.gauss(effect["cost"], 0.05))
    markets = set(before["markets"])
    if rng.random() < effect["marketplace"]:
        markets.add("marketplace")
    if rng.random() < effect["export"]:
        markets.add("export")
    if group != "not_selected" and rng.random() < 0.3:
        markets.add("modern_retail")
    certifications = set(before["certifications"])
    if rng.random() < effect["halal"]:
        certifications.add("halal")
    if group == "stage_2" and rng.random() < 0.15:
        certifications.add("haki_merek")
    return {
        "monthly_turnover": _round(turnover, 100_000),
        "selling_price": _round(price, 100),
        "unit_cost": _round(cost, 100),
        "monthly_output": _round(turnover / price, 10),
        "output_unit": before["output_unit"],
        "workers": before["workers"] + (1 if rng.random() < effect["worker"] else 0),
        "certifications": sorted(certifications),
        "markets": sorted(markets),
        "what_changed": rng.choice(CHANGES[group]),
    }


def _answer(survey, figures, staff, when):
    owner = survey.application.enterprise.owner
    services.outcome_submit(survey=survey, actor=owner or staff, data=figures)
    OutcomeSurvey.objects.filter(pk=survey.pk).update(
        submitted_at=when, requested_at=min(survey.requested_at, when - timedelta(days=3))
    )


def _outcomes(program, applications, stage2_apps, rng, staff, demo_owner_app_id):
    """Baselines at acceptance, the comparison group's baselines, the end-line at the end (which
    completes the participants who meet the rule), and the demo owner's follow-up request."""
    start = _aware(program.starts_on, 9)
    end = _aware(program.ends_on, 9)
    group = {}
    for application in applications:
        if application.status == ApplicationStatus.ACCEPTED:
            group[application.pk] = "stage_2" if application.pk in stage2_apps else "stage_1"
        elif application.status == ApplicationStatus.NOT_SELECTED:
            group[application.pk] = "not_selected"
    services.outcomes_request_now(
        program=program, wave=OutcomeWave.BASELINE, who="comparison", actor=staff
    )
    baselines = {}
    for application in applications:
        if application.pk not in group:
            continue
        survey = OutcomeSurvey.objects.select_related("application__enterprise__owner").get(
            application=application, wave=OutcomeWave.BASELINE
        )
        answers = group[application.pk] != "not_selected" and rng.random() < 0.96
        answers = answers or (group[application.pk] == "not_selected" and rng.random() < 0.75)
        if application.pk == demo_owner_app_id:
            answers = True
        if answers:
            figures = _baseline_figures(rng)
            _answer(survey, figures, staff, start - timedelta(days=rng.randint(3, 15)))
            baselines[application.pk] = figures
    OutcomeSurvey.objects.filter(application__program=program).update(
        requested_at=start - timedelta(days=20), due_on=(start - timedelta(days=5)).date()
    )
    services.outcomes_request_due(today=program.ends_on)
    endlines = OutcomeSurvey.objects.filter(
        application__program=program, wave=OutcomeWave.ENDLINE
    ).select_related("application__enterprise__owner")
    for survey in endlines:
        app_id = survey.application_id
        kind = group.get(app_id)
        if kind is None or app_id not in baselines:
            continue
        rate = 0.9 if kind != "not_selected" else 0.8
        if app_id == demo_owner_app_id or rng.random() < rate:
            figures = _later_figures(baselines[app_id], kind, rng)
            _answer(survey, figures, staff, end + timedelta(days=rng.randint(1, 20)))
    OutcomeSurvey.objects.filter(
        application__program=program, wave=OutcomeWave.ENDLINE, status=OutcomeStatus.REQUESTED
    ).update(requested_at=end, due_on=(end + timedelta(days=14)).date(), reminders_sent=2)
    if demo_owner_app_id:
        survey = services.outcome_request(
            application=Application(pk=demo_owner_app_id), wave=OutcomeWave.FOLLOWUP, actor=staff
        )
        OutcomeSurvey.objects.filter(pk=survey.pk).update(
            due_on=timezone.localdate() + timedelta(days=14)
        )
    return group


def _finish(program, staff, rng):
    """A few participants dropped out along the way; the programme is completed."""
    stage1 = program.stages.get(order=1)
    active = list(
        Participant.objects.filter(program=program, stage=stage1, status=ParticipantStatus.ACTIVE)
        .exclude(application__participants__stage__order=2)
        .order_by("pk")
    )
    for participant in rng.sample(active, k=min(3, len(active))):
        services.participant_transition(
            participant=participant,
            to=ParticipantStatus.DROPPED,
            actor=staff,
            reason=rng.choice(
                ["Usaha tutup sementara.", "Pindah ke luar kota.", "Tidak dapat dihubungi."]
            ),
        )
    Program.objects.filter(pk=program.pk).update(
        status=ProgramStatus.COMPLETED,
        status_changed_at=_aware(program.ends_on, 17),
    )
    activity_log(
        target=program,
        action="program.complete",
        actor=staff,
        from_state=ProgramStatus.RUNNING,
        to_state=ProgramStatus.COMPLETED,
    )
    issued = _aware(program.ends_on, 10) + timedelta(days=21)
    from .models import Certificate

    Certificate.objects.filter(participant__program=program).update(issued_at=issued)
    Participant.objects.filter(program=program, status=ParticipantStatus.COMPLETED).update(
        completed_at=issued, status_changed_at=issued
    )


def _past_edition(stdout) -> None:
    if Program.objects.filter(title=PAST_TITLE).exists():
        stdout.write(f"participation: “{PAST_TITLE}” already loaded")
        return
    if Enterprise.objects.filter(status=EnterpriseStatus.VERIFIED).count() < 60:
        stdout.write("participation: too few verified businesses; load the registry demo first")
        return
    rng = random.Random(2025)
    today = timezone.localdate()
    User = get_user_model()
    staff = User.objects.filter(email__iexact=STAFF_EMAIL).first()
    facilitator = User.objects.filter(email__iexact="reviewer@demo.ikm.id").first() or staff
    program = _program(today)
    applications = _applications(program, rng)
    participants, stage2_apps = _enrol(program, applications, rng, staff)
    diligence = {}
    for app_id in participants:
        top = app_id in stage2_apps
        diligence[app_id] = min(1.0, rng.uniform(0.82, 1.0) if top else rng.betavariate(8, 1.6))
    demo_owner_app = next(
        (
            a
            for a in applications
            if a.enterprise.owner and a.enterprise.owner.email == DEMO_OWNER_EMAIL
        ),
        None,
    )
    if demo_owner_app is not None:
        diligence[demo_owner_app.pk] = 1.0
    sessions = _schedule(program, staff)
    _attendance(sessions, diligence, rng, facilitator)
    group = _outcomes(
        program,
        applications,
        stage2_apps,
        rng,
        staff,
        demo_owner_app.pk if demo_owner_app else None,
    )
    services.participants_complete_eligible(program=program, actor=staff)
    _finish(program, staff, rng)
    counts = Participant.objects.filter(program=program).values_list("status", flat=True)
    stdout.write(
        f"participation: “{PAST_TITLE}”: {len(applications)} applications, "
        f"{sum(1 for g in group.values() if g != 'not_selected')} participants "
        f"({len(stage2_apps)} in stage 2), {len(sessions)} sessions, "
        f"{Attendance.objects.filter(session__program=program).count()} attendance marks, "
        f"{sum(1 for s in counts if s == ParticipantStatus.COMPLETED)} completions with "
        "certificates, "
        f"{OutcomeSurvey.objects.filter(application__program=program, status='submitted').count()} "
        "survey answers"
    )


def _weekly_sessions(program, staff, until) -> list:
    """Stage 1: a session for everyone one week, one per track the next; stage 2 (when it has
    participants): a session every three weeks from the sixth week."""
    stages = {s.order: s for s in program.stages.all()}
    tracks = list(program.tracks.order_by("position"))
    facilitators = [f for _n, _s, f in TRACKS]
    place = program.venue or "PPK Sampoerna, Sukorejo, Pasuruan"
    sessions = []
    start = program.starts_on
    last = min(program.ends_on or until, until)
    for week in range(16):
        day = start + timedelta(days=7 * week)
        if day > last:
            break
        if week % 2 == 0 or not tracks:
            sessions.append(
                services.session_create(
                    program=program,
                    actor=staff,
                    stage=stages[1],
                    track=None,
                    title=COMMON_SESSIONS[(week // 2) % len(COMMON_SESSIONS)],
                    starts_at=_aware(day, 8),
                    ends_at=_aware(day, 12),
                    place=place,
                    facilitator="Tim PPK Sampoerna dan Diskopindag",
                )
            )
            continue
        for i, track in enumerate(tracks):
            sessions.append(
                services.session_create(
                    program=program,
                    actor=staff,
                    stage=stages[1],
                    track=track,
                    title=f"{track.name}: {TRACK_SESSIONS[(week // 2) % len(TRACK_SESSIONS)]}",
                    starts_at=_aware(day, 13),
                    ends_at=_aware(day, 16),
                    place=place,
                    facilitator=facilitators[i % len(facilitators)],
                )
            )
    if 2 in stages and Participant.objects.filter(stage=stages[2]).exists():
        for i, title in enumerate(STAGE2_SESSIONS):
            day = start + timedelta(days=42 + 21 * i)
            if day > last:
                break
            sessions.append(
                services.session_create(
                    program=program,
                    actor=staff,
                    stage=stages[2],
                    track=None,
                    title=title,
                    starts_at=_aware(day, 9),
                    ends_at=_aware(day, 15),
                    place="Gedung Kartini, Kota Malang",
                    facilitator="Tim Pendamping PPK Sampoerna",
                    hours=Decimal("5"),
                )
            )
    return sessions


def _other_programmes(stdout) -> None:
    """Programmes other than the past edition whose participants were enrolled (by the
    selection's demo): a running one gets its sessions so far and the next three weeks, their
    attendance and most baseline answers; one not started yet gets its first sessions."""
    User = get_user_model()
    staff = User.objects.filter(email__iexact=STAFF_EMAIL).first()
    facilitator = User.objects.filter(email__iexact="reviewer@demo.ikm.id").first() or staff
    now = timezone.now()
    today = timezone.localdate()
    programs = (
        Program.objects.exclude(title=PAST_TITLE)
        .filter(participants__isnull=False, starts_on__isnull=False)
        .exclude(status__in=[ProgramStatus.CANCELLED, ProgramStatus.COMPLETED])
        .distinct()
    )
    for program in programs:
        if Session.objects.filter(program=program).exists():
            continue
        rng = random.Random(program.pk)
        running = program.status == ProgramStatus.RUNNING and program.starts_on <= today
        until = today + timedelta(days=21) if running else program.starts_on + timedelta(days=7)
        sessions = _weekly_sessions(program, staff, until)
        answered = 0
        if running:
            diligence = {
                app_id: min(1.0, rng.betavariate(8, 1.6))
                for app_id in Participant.objects.filter(program=program).values_list(
                    "application_id", flat=True
                )
            }
            _attendance([s for s in sessions if s.ends_at <= now], diligence, rng, facilitator)
            waiting = OutcomeSurvey.objects.filter(
                application__program=program,
                wave=OutcomeWave.BASELINE,
                status=OutcomeStatus.REQUESTED,
            ).select_related("application__enterprise__owner")
            begin = _aware(program.starts_on, 9)
            for survey in waiting:
                if rng.random() < 0.88:
                    _answer(
                        survey,
                        _baseline_figures(rng),
                        staff,
                        begin - timedelta(days=rng.randint(1, 10)),
                    )
                    answered += 1
        stdout.write(
            f"participation: “{program.title}”: {len(sessions)} sessions scheduled"
            + (f", attendance marked, {answered} baseline answers" if running else "")
        )


def load_demo(stdout):
    with services.quiet():
        _past_edition(stdout)
        _other_programmes(stdout)
    return []
