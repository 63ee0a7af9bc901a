"""Token authentication reads the roles with the token: one query where DRF's took two."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db


def _client(user) -> APIClient:
    token, _ = Token.objects.get_or_create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def test_token_request_reads_user_and_roles_in_one_query(staff):
    EnterpriseFactory(products=0)
    client = _client(staff)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/api/v1/enterprises/")
    assert response.status_code == 200
    assert response.json()["count"] == 1
    reads = [q["sql"] for q in ctx.captured_queries]
    assert sum("authtoken_token" in sql for sql in reads) == 1
    groups_alone = [s for s in reads if "auth_group" in s and "authtoken_token" not in s]
    assert len(groups_alone) == (0 if connection.vendor == "postgresql" else 1)


def test_roles_from_the_token_decide_as_before(owner, partner_reviewer):
    assert _client(owner).get("/api/v1/enterprises/").status_code == 200
    assert _client(partner_reviewer).get("/api/v1/enterprises/").status_code == 403


def test_unknown_token_and_inactive_user_are_401(staff):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert client.get("/api/v1/enterprises/").status_code == 401
    inactive = _client(staff)
    staff.is_active = False
    staff.save(update_fields=["is_active"])
    assert inactive.get("/api/v1/enterprises/").status_code == 401
