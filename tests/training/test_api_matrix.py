"""Every application and programme action by every role: the expected status, and a 404 for
what a user may not see."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from partnerships.demo import minimal_pdf
from tests.factories import ApplicationFactory, QuestionFactory
from training.choices import ApplicationStatus, QuestionKind

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "owner", "other_owner", "staff", "partner_of_program", "partner_of_other"]


def row(*statuses):
    return dict(zip(ROLES, statuses, strict=True))


# On an eligible application (which the programme's partner may see).
APPLICATION_ACTIONS = {
    "retrieve": ("get", "", None, row(401, 200, 404, 200, 200, 404)),
    "patch": ("patch", "", {"consent_share_with_partner": True}, row(401, 200, 404, 403, 403, 404)),
    "submit": ("post", "submit/", {}, row(401, 200, 404, 403, 403, 404)),
    "withdraw": ("post", "withdraw/", {}, row(401, 200, 404, 200, 403, 404)),
    "screen": (
        "post",
        "screen/",
        {"eligible": True, "reason": "ok"},
        row(401, 403, 404, 200, 403, 404),
    ),
    "review": ("post", "review/", {}, row(401, 403, 404, 200, 403, 404)),
}


@pytest.mark.parametrize("action", list(APPLICATION_ACTIONS))
@pytest.mark.parametrize("who", ROLES)
def test_api_application_action_matrix(api_as, users, enterprise, program, action, who):
    method, suffix, payload, expected = APPLICATION_ACTIONS[action]
    application = ApplicationFactory(
        program=program, enterprise=enterprise, status=ApplicationStatus.ELIGIBLE
    )
    client = api_as(users[who])
    response = getattr(client, method)(
        f"/api/v1/applications/{application.pk}/{suffix}", payload, format="json"
    )
    assert response.status_code == expected[who]


@pytest.mark.parametrize("who", ROLES)
def test_api_application_create_matrix(api_as, users, enterprise, program, who):
    expected = row(401, 201, 400, 400, 400, 400)[who]
    response = api_as(users[who]).post(
        "/api/v1/applications/",
        {"program": program.pk, "enterprise": enterprise.pk},
        format="json",
    )
    assert response.status_code == expected


@pytest.mark.parametrize("who", ROLES)
def test_api_application_upload_and_file_matrix(api_as, users, enterprise, program, who):
    question = QuestionFactory(program=program, kind=QuestionKind.FILE)
    application = ApplicationFactory(program=program, enterprise=enterprise)
    upload = api_as(users[who]).post(
        f"/api/v1/applications/{application.pk}/upload/",
        {"question": question.pk, "file": SimpleUploadedFile("a.pdf", minimal_pdf("x"))},
        format="multipart",
    )
    # A draft: the partner does not see it yet.
    assert upload.status_code == row(401, 200, 404, 403, 404, 404)[who]


PROGRAM_ACTIONS = {
    "patch": ("patch", "", {"description": "Baru"}, row(401, 404, 404, 200, 403, 404)),
    "close": ("post", "close/", {}, row(401, 404, 404, 200, 403, 404)),
    "cancel": ("post", "cancel/", {"reason": "x"}, row(401, 404, 404, 200, 403, 404)),
}


@pytest.mark.parametrize("action", list(PROGRAM_ACTIONS))
@pytest.mark.parametrize("who", ROLES)
def test_api_program_action_matrix_on_a_draft(api_as, users, action, who):
    """On a draft programme of the partner (published ones are readable by everyone)."""
    from tests.factories import ProgramFactory
    from training.choices import ProgramStatus

    program = users["partner_of_program"].partner_membership.partner.programs.first()
    draft = ProgramFactory(partner=program.partner, status=ProgramStatus.DRAFT, with_setup=True)
    method, suffix, payload, expected = PROGRAM_ACTIONS[action]
    if action == "close":
        expected = row(401, 404, 404, 409, 403, 404)
    response = getattr(api_as(users[who]), method)(
        f"/api/v1/programs/{draft.pk}/{suffix}", payload, format="json"
    )
    assert response.status_code == expected[who]
