"""schemathesis against /api/schema/ (issue 8): every operation of the schema, in process
through WSGI against the test database, as office staff, an IKM owner and a partner reviewer.
No 5xx, and every response of a documented status matches the schema (body, content type,
headers). Path parameters are the fixture world's rows, so the generated bodies reach real
objects; each example runs in a savepoint that is rolled back.

A bounded number of examples per operation (FUZZ_EXAMPLES, default 3) keeps it to a few minutes on
two cores; raise it locally to search harder."""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
)

from .matrix import API_PARAMS, _params_for, _value

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))
FUZZ_ROLES = ("staff", "owner", "reviewer_a")
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    content_type_conformance,
    response_headers_conformance,
]


@pytest.fixture(scope="module", autouse=True)
def _keep_the_test_connection():
    """A real WSGI handler closes the database connection after each request (the test client
    does not); here that would close the test's transaction on PostgreSQL."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def tokens(world):
    return {role: Token.objects.get_or_create(user=world.users[role])[0].key for role in FUZZ_ROLES}


# Loaded when the module is collected: the schema view reads no database. (A lazy
# `schemathesis.pytest.from_fixture` does not run on pytest 9 yet.)
# The coverage phase (hundreds of boundary cases per operation, whatever max_examples says) is
# off: the bounded fuzzing phase keeps the run to minutes.
CONFIG = SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": False}}})
schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application(), config=CONFIG)
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def call_and_validate(case, world, token):
    params = _params_for(API_PARAMS, case.operation.path)
    for name in case.path_parameters or {}:
        if name in params:
            case.path_parameters[name] = _value(world, params[name])
    with transaction.atomic():
        response = case.call(headers={"Authorization": f"Token {token}"})
        case.validate_response(response, checks=CHECKS)
        transaction.set_rollback(True)


@schema.parametrize()
@FUZZ
def test_api_as_staff(case, world, tokens):
    call_and_validate(case, world, tokens["staff"])


@schema.parametrize()
@FUZZ
def test_api_as_owner(case, world, tokens):
    call_and_validate(case, world, tokens["owner"])


@schema.parametrize()
@FUZZ
def test_api_as_partner(case, world, tokens):
    call_and_validate(case, world, tokens["reviewer_a"])
