"""Every privacy page and API operation for every role: the expected status."""

import pytest

from ikm_portal.privacy.choices import Purpose
from ikm_portal.privacy.services import consent_give
from tests.factories import PartnerMemberFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "owner", "other_owner", "staff", "office_admin", "partner_reviewer"]


@pytest.fixture
def people(owner, other_owner, staff, office_admin):
    return {
        "anonymous": None,
        "owner": owner,
        "other_owner": other_owner,
        "staff": staff,
        "office_admin": office_admin,
        "partner_reviewer": PartnerMemberFactory(role="partner_reviewer").user,
    }


@pytest.fixture
def news(owner):
    """The owner's news consent: theirs to withdraw, a 404 for everyone else."""
    return consent_give(user=owner, purpose=Purpose.NEWS, context="consents_page", actor=owner)


LOGIN = 302  # pages send the anonymous visitor to sign in
PAGES = [
    # method, path, expected per role in ROLES order
    ("get", "/privacy/", (200, 200, 200, 200, 200, 200)),
    ("get", "/privacy/versions/2026-11/", (200, 200, 200, 200, 200, 200)),
    ("get", "/privacy/acknowledge/", (LOGIN, 302, 302, 302, 302, 302)),
    ("get", "/privacy/consents/", (LOGIN, 200, 200, 200, 200, 200)),
    ("post", "/privacy/consents/news/", (LOGIN, 302, 302, 302, 302, 302)),
    ("get", "/privacy/consents/{news}/withdraw/", (LOGIN, 200, 404, 404, 404, 404)),
    ("post", "/privacy/consents/{news}/withdraw/", (LOGIN, 302, 404, 404, 404, 404)),
]
API = [
    ("get", "/api/v1/privacy/notice/", (200, 200, 200, 200, 200, 200)),
    ("post", "/api/v1/privacy/notice/", (401, 200, 200, 200, 200, 200)),
    ("get", "/api/v1/privacy/consents/", (401, 200, 200, 200, 200, 200)),
    ("post", "/api/v1/privacy/consents/", (401, 201, 201, 201, 201, 201)),
    ("get", "/api/v1/privacy/consents/{news}/", (401, 200, 404, 404, 404, 404)),
    ("post", "/api/v1/privacy/consents/{news}/withdraw/", (401, 200, 404, 404, 404, 404)),
]


def _cases(rows):
    return [
        pytest.param(method, path, role, expected[i], id=f"{method} {path} {role}")
        for method, path, expected in rows
        for i, role in enumerate(ROLES)
    ]


@pytest.mark.parametrize(("method", "path", "role", "expected"), _cases(PAGES))
def test_privacy_pages_per_role(client, people, news, method, path, role, expected):
    if people[role] is not None:
        client.force_login(people[role])
    response = getattr(client, method)(path.format(news=news.pk))
    assert response.status_code == expected
    if expected == LOGIN and role == "anonymous":
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(("method", "path", "role", "expected"), _cases(API))
def test_privacy_api_per_role(api_as, people, news, method, path, role, expected):
    client = api_as(people[role])
    data = {"purpose": "news"} if path.endswith("/consents/") and method == "post" else None
    response = getattr(client, method)(path.format(news=news.pk), data, format="json")
    assert response.status_code == expected


def test_factory_users_have_no_consents():
    assert UserFactory().consents.count() == 0
