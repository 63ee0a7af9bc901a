from datetime import timedelta

import pytest
from django.utils import timezone

from ikm_portal.datarights import services
from ikm_portal.datarights.models import AccessLog, DataRequest
from ikm_portal.datarights.tasks import retention_sweep
from ikm_portal.notifications.models import Notification
from registry.choices import EnterpriseStatus
from registry.models import Enterprise, FieldChange
from tests.factories import AnswerFactory, ApplicationFactory, EnterpriseFactory, ProgramFactory
from training.choices import ApplicationStatus, ProgramStatus
from training.models import Answer, Application

pytestmark = pytest.mark.django_db


def _erase(owner, staff, capture):
    request = services.data_request_create(user=owner, kind="erasure")
    with capture(execute=True):
        return services.data_request_transition(
            request=request, to_status="done", actor=staff, response="Data Anda telah dihapus."
        )


def test_erasure_keeps_verified_facts_anonymised_and_erases_the_account(
    owner, staff, enterprise, django_capture_on_commit_callbacks
):
    owner.language = "en"
    owner.save(update_fields=["language"])
    email = owner.email
    draft = EnterpriseFactory(owner=owner, name="Draf Lama")
    request = _erase(owner, staff, django_capture_on_commit_callbacks)
    enterprise.refresh_from_db()
    assert (enterprise.owner_name, enterprise.owner_nik, enterprise.phone, enterprise.owner) == (
        "",
        "",
        "",
        None,
    )
    assert enterprise.owner_nik_hash == ""
    assert (enterprise.status, enterprise.nib != "") == (EnterpriseStatus.VERIFIED, True)
    draft.refresh_from_db()
    assert (draft.status, draft.owner_name, draft.owner) == (EnterpriseStatus.ARCHIVED, "", None)
    owner.refresh_from_db()
    assert (owner.is_active, owner.full_name, owner.email) == (
        False,
        "",
        f"erased-{owner.pk}@erased.invalid",
    )
    assert [k["what"] for k in request.kept] == [
        f"Business {enterprise.name}: its name, NIB, KBLI, products, workers, investment and "
        "kelurahan"
    ]
    mail = Notification.objects.get(template="datarights_request_answered", channel="email")
    assert mail.address == email
    assert "UU 3/2014" in mail.body


def test_erasure_blanks_the_nik_in_the_history(
    owner, staff, enterprise, django_capture_on_commit_callbacks
):
    from registry import services as registry_services

    registry_services.enterprise_update(
        enterprise=enterprise, actor=staff, data={"owner_nik": "3573054512850002"}
    )
    assert FieldChange.objects.filter(field="owner_nik").exclude(new_value="").exists()
    _erase(owner, staff, django_capture_on_commit_callbacks)
    assert list(
        FieldChange.objects.filter(field="owner_nik").values_list("old_value", "new_value")
    ) == [("", "")]


def test_erasure_keeps_an_application_in_an_open_programme_and_says_why(
    owner, staff, enterprise, program, django_capture_on_commit_callbacks
):
    owner.language = "id"
    owner.save(update_fields=["language"])
    application = ApplicationFactory(
        program=program, enterprise=enterprise, status=ApplicationStatus.ELIGIBLE
    )
    AnswerFactory(application=application, value="Rahasia")
    closed = ProgramFactory(with_setup=True, status=ProgramStatus.COMPLETED)
    old = ApplicationFactory(
        program=closed,
        enterprise=EnterpriseFactory(owner=owner, verified=True),
        status=ApplicationStatus.NOT_SELECTED,
    )
    AnswerFactory(application=old, value="Jawaban lama")
    request = _erase(owner, staff, django_capture_on_commit_callbacks)
    enterprise.refresh_from_db()
    assert enterprise.owner_nik == "3573054512850001"  # held by the open programme
    assert Answer.objects.get(application=application).value == "Rahasia"
    assert Answer.objects.get(application=old).value is None
    owner.refresh_from_db()
    assert owner.is_active is True  # the owner must still hear from the programme
    whys = " ".join(k["why"] for k in request.kept)
    assert program.title in whys
    assert "Akun Anda" in [k["what"] for k in request.kept]  # in the owner's language


def test_erasure_leaves_the_access_log_but_not_the_name(
    owner, staff, enterprise, django_capture_on_commit_callbacks
):
    services.access_log_record(
        action="export",
        actor=staff,
        subjects=[services.Subject.of(record=enterprise, user_id=owner.pk, name="Siti")],
    )
    _erase(owner, staff, django_capture_on_commit_callbacks)
    assert list(AccessLog.objects.values_list("subject_user", "subject_name")) == [(owner.pk, "")]


def test_retention_anonymises_stale_drafts_once(owner, program, settings):
    settings.PRIVACY_DRAFT_RETENTION_DAYS = 30
    long_ago = timezone.now() - timedelta(days=31)
    stale = EnterpriseFactory(owner=owner, name="Draf lama", owner_nik="3573054512850003")
    rejected = EnterpriseFactory(owner=owner, status=EnterpriseStatus.REJECTED)
    fresh = EnterpriseFactory(owner=owner)
    draft_application = ApplicationFactory(program=program, status=ApplicationStatus.DRAFT)
    Enterprise.objects.filter(pk__in=[stale.pk, rejected.pk]).update(updated_at=long_ago)
    Application.objects.filter(pk=draft_application.pk).update(updated_at=long_ago)
    assert retention_sweep.delay().get() == 3
    stale.refresh_from_db()
    rejected.refresh_from_db()
    fresh.refresh_from_db()
    assert (stale.owner_nik, stale.owner_name, stale.status) == ("", "", EnterpriseStatus.ARCHIVED)
    assert (rejected.owner_name, rejected.status) == ("", EnterpriseStatus.REJECTED)
    assert fresh.owner_name != ""
    assert not Application.objects.filter(pk=draft_application.pk).exists()
    assert retention_sweep.delay().get() == 0


def test_refused_erasure_changes_nothing(
    owner, staff, enterprise, django_capture_on_commit_callbacks
):
    request = services.data_request_create(user=owner, kind="erasure")
    with django_capture_on_commit_callbacks(execute=True):
        services.data_request_transition(
            request=request, to_status="refused", actor=staff, response="Identitas tidak cocok."
        )
    enterprise.refresh_from_db()
    assert enterprise.owner_nik == "3573054512850001"
    assert DataRequest.objects.get().kept == []
