"""One fixture world for the authorization matrix, built once per module with the factories.

Partner A runs two programmes: `program` (selection: the owner's application in review, a
reviewer assignment, a selection preview) and `running` (participation: the owner's accepted
application, a participant with a session, attendance, certificate and outcome survey). Partner
B runs its own programme. The owner has a verified business (with a document, a facilitation
record, a change request and a duplicate flag against the other owner's submitted business);
the other owner claims a walk-in business. Every path parameter of every URL resolves to one of
these rows."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from ikm_portal.datarights.services import data_request_create
from ikm_portal.notifications.choices import Channel, Status
from ikm_portal.privacy.choices import Purpose
from ikm_portal.privacy.services import consent_give
from partnerships.demo import minimal_pdf
from registry.models import DuplicateFlag, EnterpriseClaim, ImportJob, Kbli
from registry.services.enterprise import change_request_create, claim_create
from registry.services.records import document_add, facilitation_create
from tests.factories import (
    AgreementFactory,
    ApplicationFactory,
    EnterpriseFactory,
    PartnerFactory,
    PartnerInvitationFactory,
    PartnerMemberFactory,
    ProgramFactory,
    QuestionFactory,
    SentraFactory,
    StageSettingsFactory,
    UserFactory,
    VerifiedEnterpriseFactory,
)
from tests.factories.notifications import NotificationFactory
from tests.factories.participation import (
    AttendanceFactory,
    CompletionRuleFactory,
    SessionFactory,
    answer,
    enrol,
)
from training.choices import ApplicationStatus, QuestionKind
from training.models import Answer
from training.participation.choices import OutcomeWave, ParticipantStatus
from training.participation.services import certificate_issue, outcome_request
from training.selection import services as selection
from training.selection.choices import Decision, ReviewStatus, RunStatus
from training.selection.models import Review, SelectionRun, StageDecision

ROLES = (
    "anonymous",
    "owner",
    "other_owner",
    "staff",
    "admin",
    "manager_a",
    "reviewer_a",
    "manager_b",
    "reviewer_b",
)
INVITATION_TOKEN = "matrix-invitation-token-0123456789"


@dataclass
class World:
    users: dict = field(default_factory=dict)
    sessions: dict = field(default_factory=dict)
    objects: dict = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.objects[name]
        except KeyError:
            raise AttributeError(name) from None


def build_world() -> World:
    w = World()
    owner = UserFactory(role="ikm_owner")
    other_owner = UserFactory(role="ikm_owner")
    staff = UserFactory(role="office_staff")
    admin = UserFactory(role="office_admin", is_staff=True)
    partner_a = PartnerFactory(name="PT Mitra A")
    partner_b = PartnerFactory(name="PT Mitra B")
    manager_a = PartnerMemberFactory(partner=partner_a, role="partner_manager").user
    reviewer_a = PartnerMemberFactory(partner=partner_a, role="partner_reviewer").user
    manager_b = PartnerMemberFactory(partner=partner_b, role="partner_manager").user
    reviewer_b = PartnerMemberFactory(partner=partner_b, role="partner_reviewer").user
    o = w.objects
    w.users = {
        "anonymous": None,
        "owner": owner,
        "other_owner": other_owner,
        "staff": staff,
        "admin": admin,
        "manager_a": manager_a,
        "reviewer_a": reviewer_a,
        "manager_b": manager_b,
        "reviewer_b": reviewer_b,
    }
    o["partner"] = partner_a
    o["partner_b"] = partner_b
    o["agreement"] = AgreementFactory(partner=partner_a)
    o["invitation"] = PartnerInvitationFactory(partner=partner_a, token=INVITATION_TOKEN)
    o["member"] = manager_a.partner_membership

    # The register.
    sentra = SentraFactory()
    enterprise = VerifiedEnterpriseFactory(owner=owner, sentra=sentra)
    other = EnterpriseFactory(owner=other_owner, submitted=True)
    # The owner's second business, waiting for the office: the target of staff-only actions.
    o["submitted"] = EnterpriseFactory(owner=owner, submitted=True, nib="9120008888888")
    walk_in = VerifiedEnterpriseFactory(owner=None, nib="9120009999999")
    o.update(enterprise=enterprise, other_enterprise=other, walk_in=walk_in, sentra=sentra)
    o["document"] = document_add(
        enterprise=enterprise,
        actor=staff,
        kind="nib",
        upload=SimpleUploadedFile("nib.pdf", minimal_pdf("NIB"), content_type="application/pdf"),
    )
    o["facilitation"] = facilitation_create(
        enterprise=enterprise,
        actor=staff,
        kind="halal",
        date=timezone.localdate(),
        status="proses",
    )
    o["change_request"] = change_request_create(
        enterprise=enterprise, actor=owner, data={"brand": "Merek Baru"}
    )
    o["claim"] = claim_create(user=other_owner, nib=walk_in.nib)
    o["flag"] = DuplicateFlag.objects.create(
        enterprise=enterprise, other=other, kind="similar_name", score=0.9
    )
    o["import_job"] = ImportJob.objects.create(
        created_by=staff,
        file=SimpleUploadedFile("register.csv", b"nama_usaha\nTempe\n"),
        original_name="register.csv",
        file_format="csv",
        total_rows=1,
    )

    # Partner A's programme in selection.
    program = ProgramFactory(partner=partner_a, with_setup=True)
    stage = program.stages.get(order=1)
    StageSettingsFactory(stage=stage)
    selection.rubric_ensure_default(stage=stage)
    question = QuestionFactory(program=program, kind=QuestionKind.FILE)
    application = ApplicationFactory(
        program=program, enterprise=enterprise, status=ApplicationStatus.IN_REVIEW
    )
    Answer.objects.create(
        application=application,
        question=question,
        file=SimpleUploadedFile("rencana.pdf", minimal_pdf("Rencana")),
    )
    ApplicationFactory(
        program=program,
        enterprise=VerifiedEnterpriseFactory(),
        status=ApplicationStatus.IN_REVIEW,
    )
    review = Review.objects.create(
        stage=stage, application=application, reviewer=reviewer_a, status=ReviewStatus.ASSIGNED
    )
    run = selection.selection_preview(stage=stage, actor=staff, seed=7)
    o.update(
        program=program,
        stage=stage,
        question=question,
        application=application,
        review=review,
        run=run,
    )

    # Partner A's programme in participation.
    running = ProgramFactory(partner=partner_a, with_setup=True, status="running")
    running_stage = running.stages.get(order=1)
    accepted = ApplicationFactory(
        program=running, enterprise=enterprise, status=ApplicationStatus.ACCEPTED
    )
    published = SelectionRun.objects.create(
        stage=running_stage,
        status=RunStatus.PUBLISHED,
        params={"seats": 100, "track_seats": None, "waitlist_length": 0, "tie_breakers": []},
        published_at=timezone.now(),
    )
    decision = StageDecision.objects.create(
        stage=running_stage,
        application=accepted,
        run=published,
        status=Decision.ACCEPTED,
        published_decision=Decision.SELECTED,
        rank=1,
        rank_of=1,
        reason="merit",
        response_deadline=timezone.now() + timedelta(days=3),
    )
    CompletionRuleFactory(program=running)
    participant = enrol(accepted)
    session = SessionFactory(stage=running_stage)
    attendance = AttendanceFactory(session=session, participant=participant)
    answer(accepted, OutcomeWave.BASELINE)
    survey = outcome_request(application=accepted, wave=OutcomeWave.ENDLINE, notify=False)
    participant.status = ParticipantStatus.COMPLETED
    participant.completed_at = timezone.now()
    participant.save(update_fields=["status", "completed_at"])
    certificate = certificate_issue(participant=participant, actor=staff)
    o.update(
        running=running,
        accepted=accepted,
        published_run=published,
        decision=decision,
        participant=participant,
        session=session,
        survey=survey,
        certificate=certificate,
        attendance=attendance,
    )
    o["kbli"] = Kbli.objects.get(version="2020", code="10391")

    # Partner B's programme.
    o["program_b"] = ProgramFactory(partner=partner_b, with_setup=True)

    # The owner's news consent (theirs to withdraw).
    o["consent"] = consent_give(
        user=owner, purpose=Purpose.NEWS, context="consents_page", actor=owner
    )

    # The owner's request to correct their data.
    o["data_request"] = data_request_create(
        user=owner, kind="correction", details="Nama usaha salah eja."
    )

    # Messages of the owner.
    o["notification"] = NotificationFactory(recipient=owner, inbox=True)
    o["outbox"] = NotificationFactory(recipient=owner, channel=Channel.EMAIL, status=Status.SENT)
    assert EnterpriseClaim.objects.filter(pk=o["claim"].pk).exists()
    w.sessions = sign_in(w.users)
    # After signing in: the token covers the last login.
    owner.refresh_from_db()
    o["reset_uid"] = urlsafe_base64_encode(force_bytes(owner.pk))
    o["reset_token"] = default_token_generator.make_token(owner)
    return w


def sign_in(users: dict) -> dict:
    """A session key per role, created once: each request sends it as its cookie (a request
    that ends the session is rolled back with everything else). A user with two-factor (the
    office admin) gets a session verified with their device, as the real second step does."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    keys = {}
    for role, user in users.items():
        if user is not None:
            client = Client()
            client.force_login(user)
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            if device is not None:
                session = client.session
                session[DEVICE_ID_SESSION_KEY] = device.persistent_id
                session.save()
            keys[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return keys
