"""The authorization matrix (issue 8): every URL pattern and every API operation of the schema,
requested as every role of `ROLES` in one fixture world, answers the status in
`authz_matrix.py`. A pattern or operation without a row fails `test_every_…_has_a_row`; a row
whose pattern is gone fails it too.

`L` is a redirect to the sign-in page. After a deliberate change, print the matrix as it is with
`AUTHZ_MATRIX_RECORD=/tmp/matrix.py pytest tests/security/test_authorization_matrix.py -k record`
and review each changed row before copying it into `authz_matrix.py`."""

import os
import pprint
import re

import pytest
from django.contrib import admin
from django.urls import reverse

from . import authz_matrix
from .matrix import (
    API_BODIES,
    api_routes,
    api_url,
    page_routes,
    page_url,
    request_as,
    route_of,
    row,
    schema_operations,
)
from .world import ROLES

pytestmark = pytest.mark.django_db

PAGE_CASES = [
    (route, method) for route, methods in sorted(authz_matrix.PAGES.items()) for method in methods
]


def test_every_url_pattern_has_a_row():
    routes = page_routes()
    missing = sorted(routes - set(authz_matrix.PAGES))
    stale = sorted(set(authz_matrix.PAGES) - routes)
    assert (missing, stale) == ([], []), "add (or drop) rows in tests/security/authz_matrix.py"


def test_every_api_operation_has_a_row():
    operations = set(schema_operations())
    missing = sorted(operations - set(authz_matrix.API))
    stale = sorted(set(authz_matrix.API) - operations)
    assert (missing, stale) == ([], []), "add (or drop) rows in tests/security/authz_matrix.py"


def test_every_api_url_pattern_is_an_operation_of_the_schema():
    """An API view left out of the schema would escape the matrix above."""
    covered = {_bare(route_of(_sample(key.split(" ", 1)[1]))) for key in schema_operations()}
    assert sorted(r for r in api_routes() if _bare(r) not in covered) == []


def _bare(route: str | None) -> str:
    return (route or "").replace("^", "").replace("$", "")


def _sample(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: "35.73" if m.group(1) == "code" else "1", path)


@pytest.mark.parametrize(("route", "method"), PAGE_CASES, ids=[f"{m} /{r}" for r, m in PAGE_CASES])
def test_page(world, route, method):
    expected = authz_matrix.PAGES[route][method]
    assert row(world, method, page_url(world, route)) == expected


@pytest.mark.parametrize("key", sorted(authz_matrix.API))
def test_api(world, key):
    method, path = key.split(" ", 1)
    body = API_BODIES.get(key, lambda w: {})(world)
    assert row(world, method, api_url(world, path), body, api=True) == authz_matrix.API[key]


@pytest.mark.parametrize("role", ROLES)
def test_admin_site(world, role):
    """The admin as one group: its index and every registered model's list and add page. Only
    office_admin (is_staff, every permission) gets in; everyone else is sent to its sign-in."""
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
        urls.append(reverse("admin:{}_{}_add".format(*info)))
    got = {url: request_as(world, role, "GET", url) for url in urls}
    if role == "admin":
        # Some models are read-only in the admin (no add page): 403, never a 500.
        assert {u: s for u, s in got.items() if s not in {"200", "403"}} == {}
        assert {u: s for u, s in got.items() if u.endswith("/") and "add" not in u} == {
            u: "200" for u in got if u.endswith("/") and "add" not in u
        }
    else:
        assert set(got.values()) == {"L"}


@pytest.mark.skipif(not os.environ.get("AUTHZ_MATRIX_RECORD"), reason="prints the matrix")
def test_record_matrix(world):
    pages = {}
    for route in sorted(page_routes()):
        url = page_url(world, route)
        methods = dict(authz_matrix.PAGES.get(route, {}))
        get = row(world, "GET", url)
        post = row(world, "POST", url)
        pages[route] = {"GET": get}
        if "POST" in methods or post != get or "405" in get.split()[1:]:
            pages[route]["POST"] = post
    api = {}
    for key in sorted(schema_operations()):
        method, path = key.split(" ", 1)
        body = API_BODIES.get(key, lambda w: {})(world)
        api[key] = row(world, method, api_url(world, path), body, api=True)
    with open(os.environ["AUTHZ_MATRIX_RECORD"], "w") as f:
        f.write("PAGES = " + pprint.pformat(pages, width=100, sort_dicts=True) + "\n\n")
        f.write("API = " + pprint.pformat(api, width=100, sort_dicts=True) + "\n")
