"""Withdrawing the consent to share with a partner hides the owner's personal data from that
partner from then on, on every page and API the partner reads applicants through; the business
stays visible so the selection and the attendance of a place already held go on."""

import pytest
from django.utils import translation

from ikm_portal.privacy.models import Consent
from ikm_portal.privacy.services import consent_withdraw
from tests.factories import (
    AnswerFactory,
    PartnerMemberFactory,
    ProgramFactory,
    QuestionFactory,
    ReviewFactory,
    StageSettingsFactory,
    VerifiedEnterpriseFactory,
)
from tests.factories.participation import enrol
from training.choices import ApplicationStatus, QuestionKind
from training.models import Application
from training.selection import services as selection_services
from training.selectors import WITHDRAWN_PLACEHOLDER
from training.services import application_update

pytestmark = pytest.mark.django_db

NIK = "3573054508850001"


def placeholder() -> str:
    with translation.override("id"):
        return str(WITHDRAWN_PLACEHOLDER)


@pytest.fixture
def program(db):
    return ProgramFactory(with_setup=True)


@pytest.fixture
def reviewer(program):
    return PartnerMemberFactory(partner=program.partner, role="partner_reviewer").user


@pytest.fixture
def enterprise(owner):
    return VerifiedEnterpriseFactory(
        owner=owner, owner_name="Siti Rahayu", owner_nik=NIK, phone="+6281299887766"
    )


def _application(program, enterprise, owner, status=ApplicationStatus.ELIGIBLE):
    """An application whose sharing consent was given on the site (so My consents has it)."""
    from tests.factories import ApplicationFactory

    application = ApplicationFactory(
        program=program, enterprise=enterprise, consent_share_with_partner=False
    )
    application_update(application=application, actor=owner, consent_share_with_partner=True)
    Application.objects.filter(pk=application.pk).update(status=status)
    application.refresh_from_db()
    return application


def _withdraw(owner):
    consent_withdraw(
        consent=Consent.objects.get(user=owner, purpose="partner_sharing"), actor=owner
    )


PERSONAL = ("Siti Rahayu", "0001", "+6281299887766", "Dinoyo")


def test_partner_page_shows_the_placeholder_after_withdrawal(
    client, program, reviewer, owner, enterprise
):
    application = _application(program, enterprise, owner)
    client.force_login(reviewer)
    before = client.get(f"/programs/applications/{application.pk}/").content.decode()
    assert "Siti Rahayu" in before and "+6281299887766" in before
    _withdraw(owner)
    response = client.get(f"/programs/applications/{application.pk}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert placeholder() in body
    for text in ("Siti Rahayu", "+6281299887766", enterprise.email, "0001"):
        assert text not in body, text
    assert enterprise.name in body  # the business stays for the programme


def test_partner_api_shows_the_placeholder_after_withdrawal(
    api_as, program, reviewer, owner, enterprise
):
    application = _application(program, enterprise, owner)
    _withdraw(owner)
    response = api_as(reviewer).get(f"/api/v1/applications/{application.pk}/")
    applicant = response.data["applicant"]
    assert response.status_code == 200
    assert applicant["personal_data_withdrawn"] is True
    for field in ("owner_name", "owner_nik", "owner_gender", "phone", "email", "kelurahan"):
        assert applicant[field] == placeholder(), field
    assert applicant["business_name"] == enterprise.name
    listed = api_as(reviewer).get("/api/v1/applications/").data["results"]
    assert [a["applicant"]["owner_name"] for a in listed] == [placeholder()]


def test_office_and_owner_still_see_the_data(api_as, program, staff, owner, enterprise):
    application = _application(program, enterprise, owner)
    _withdraw(owner)
    for user in (staff, owner):
        data = api_as(user).get(f"/api/v1/applications/{application.pk}/").data["applicant"]
        assert (data["owner_name"], data["personal_data_withdrawn"]) == ("Siti Rahayu", False)


def test_partner_list_page_shows_the_placeholder(client, program, reviewer, owner, enterprise):
    _application(program, enterprise, owner)
    _withdraw(owner)
    client.force_login(reviewer)
    body = client.get(f"/programs/{program.pk}/applications/").content.decode()
    assert placeholder() in body
    assert "Siti Rahayu" not in body


def test_partner_cannot_download_files_after_withdrawal(
    client, api_as, settings, tmp_path, program, reviewer, owner, enterprise
):
    settings.MEDIA_ROOT = tmp_path
    application = _application(program, enterprise, owner)
    question = QuestionFactory(program=program, kind=QuestionKind.FILE, text="KTP")
    from django.core.files.base import ContentFile

    AnswerFactory(
        application=application, question=question, file=ContentFile(b"%PDF-1.4", "ktp.pdf")
    )
    client.force_login(reviewer)
    url = f"/programs/applications/{application.pk}/files/{question.pk}/"
    assert client.get(url).status_code == 200
    _withdraw(owner)
    assert client.get(url).status_code == 404
    api = f"/api/v1/applications/{application.pk}/files/{question.pk}/"
    assert api_as(reviewer).get(api).status_code == 404


def test_review_page_and_api_show_the_placeholder(client, api_as, program, owner, enterprise):
    application = _application(program, enterprise, owner, status=ApplicationStatus.IN_REVIEW)
    stage = program.stages.get(order=1)
    StageSettingsFactory(stage=stage)
    selection_services.rubric_ensure_default(stage=stage)
    review = ReviewFactory(stage=stage, application=application)
    _withdraw(owner)
    client.force_login(review.reviewer)
    body = client.get(f"/programs/reviews/{review.pk}/").content.decode()
    assert placeholder() in body
    assert "Siti Rahayu" not in body and "+6281299887766" not in body
    data = api_as(review.reviewer).get(f"/api/v1/reviews/{review.pk}/").data
    assert data["applicant"]["owner_name"] == placeholder()


def test_participant_stays_for_attendance_without_personal_data(
    client, api_as, program, reviewer, owner, enterprise
):
    application = _application(program, enterprise, owner, status=ApplicationStatus.ACCEPTED)
    participant = enrol(application)
    _withdraw(owner)
    client.force_login(reviewer)
    body = client.get(f"/programs/{program.pk}/participants/").content.decode()
    assert enterprise.name in body and placeholder() in body
    assert "Siti Rahayu" not in body
    rows = api_as(reviewer).get("/api/v1/participants/").data["results"]
    assert [(r["id"], r["owner_name"]) for r in rows] == [(participant.pk, placeholder())]


def test_an_application_never_shared_stays_invisible_to_the_partner(
    api_as, program, reviewer, owner, enterprise
):
    from tests.factories import ApplicationFactory

    application = ApplicationFactory(
        program=program,
        enterprise=enterprise,
        status=ApplicationStatus.ELIGIBLE,
        consent_share_with_partner=False,
    )
    assert api_as(reviewer).get(f"/api/v1/applications/{application.pk}/").status_code == 404
