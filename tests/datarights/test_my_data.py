import json

import pytest

from tests.factories import AnswerFactory, ApplicationFactory
from training.choices import ApplicationStatus

pytestmark = pytest.mark.django_db


def test_owner_downloads_all_their_data_as_json(owner, enterprise, program, client_as):
    application = ApplicationFactory(
        program=program, enterprise=enterprise, status=ApplicationStatus.SUBMITTED
    )
    AnswerFactory(application=application, value="Ingin belajar pemasaran digital")
    response = client_as(owner).get("/data/mine/download.json")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["account"]["data"]["email"] == owner.email
    business = data["registry"]["data"]["businesses"][0]
    assert (business["id"], business["owner_nik"]) == (enterprise.pk, "3573054512850001")
    answers = data["training"]["data"]["applications"][0]["answers"]
    assert [a["answer"] for a in answers] == ["Ingin belajar pemasaran digital"]


def test_owner_downloads_all_their_data_as_pdf(owner, enterprise, client_as):
    response = client_as(owner).get("/data/mine/download.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_api_export_is_the_same_json(owner, enterprise, api_as):
    data = api_as(owner).get("/api/v1/my-data/export/").json()
    assert data["registry"]["data"]["businesses"][0]["name"] == enterprise.name


def test_download_holds_nothing_of_other_people(owner, other_owner, enterprise, client_as):
    data = json.loads(client_as(other_owner).get("/data/mine/download.json").content)
    assert "registry" not in data
    assert enterprise.owner_nik not in json.dumps(data)


@pytest.mark.parametrize(("who", "expected"), [("anonymous", 302), ("staff", 404), ("owner", 200)])
def test_my_data_page_by_role(who, expected, request, client_as):
    user = None if who == "anonymous" else request.getfixturevalue(who)
    assert client_as(user).get("/data/mine/").status_code == expected
