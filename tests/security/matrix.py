"""How the authorization matrix walks the URLconf and the API schema, fills path parameters
from the fixture world and sends one request per role."""

import json
import re
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

from .world import INVITATION_TOKEN, ROLES, World

# A redirect to the sign-in page is written "L"; any other status as its number.
LOGIN = "L"
API_ROOT = "api/v1/"


def walk(patterns=None, prefix=""):
    """(route, pattern) of every URL pattern, includes flattened."""
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from walk(p.url_patterns, prefix + str(p.pattern))
        else:
            yield prefix + str(p.pattern), p


def page_routes() -> set[str]:
    """Every route outside the admin (a group of its own) and the API (checked against the
    schema's operations)."""
    return {
        route
        for route, _p in walk()
        if not route.startswith("admin/") and (route == API_ROOT or not route.startswith(API_ROOT))
    }


def api_routes() -> set[str]:
    return {route for route, _p in walk() if route.startswith(API_ROOT) and route != API_ROOT}


def schema_operations() -> dict[str, dict]:
    """{"METHOD /path/{param}/": operation} of the OpenAPI schema."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = {}
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                operations[f"{method.upper()} {path}"] = operation
    return operations


# Path parameters, by the first rule whose regular expression matches the route (pages) or the
# schema path (API). Values are attribute paths into the world, or constants.
PAGE_PARAMS = [
    (r"^accounts/password/reset/<uidb64>", {"uidb64": "reset_uid", "token": "reset_token"}),
    (r"^privacy/consents/", {"pk": "consent.pk"}),
    (r"^data/", {"pk": "data_request.pk", "action": "=start", "fmt": "=json"}),
    (r"^privacy/versions/", {"version": "=2026-11"}),
    (r"^notifications/log/", {"pk": "outbox.pk"}),
    (r"^notifications/", {"pk": "notification.pk"}),
    (r"^registry/business/<int:pk>/action/", {"pk": "submitted.pk", "action": "=verify"}),
    (
        r"^registry/",
        {
            "pk": "enterprise.pk",
            "step": "=owner",
            "action": "=verify",
            "other_pk": "other_enterprise.pk",
            "doc_pk": "document.pk",
            "record_pk": "facilitation.pk",
            "flag_pk": "flag.pk",
            "cr_pk": "change_request.pk",
            "claim_pk": "claim.pk",
            "job_pk": "import_job.pk",
            "sentra_pk": "sentra.pk",
        },
    ),
    (r"^partners/agreements/", {"pk": "agreement.pk"}),
    (
        r"^partners/",
        {
            "pk": "partner.pk",
            "member_id": "member.pk",
            "invitation_id": "invitation.pk",
            "token": "=" + INVITATION_TOKEN,
        },
    ),
    (
        r"^programs/applications/<int:pk>/(selection|respond)/",
        {"pk": "accepted.pk"},
    ),
    (r"^programs/applications/", {"pk": "application.pk", "question_id": "question.pk"}),
    (r"^programs/sessions/", {"pk": "session.pk"}),
    (r"^programs/participants/", {"pk": "participant.pk"}),
    (r"^programs/outcomes/", {"pk": "survey.pk"}),
    (r"^programs/certificates/", {"pk": "certificate.pk"}),
    (r"^programs/selection/runs/", {"run_id": "run.pk"}),
    (r"^programs/reviews/", {"review_id": "review.pk"}),
    (
        r"^programs/<int:pk>/(participation|report|sessions|participants|completion-rule|outcomes|impact)/",
        {"pk": "running.pk"},
    ),
    (r"^programs/<int:pk>/", {"pk": "program.pk", "order": "=1", "action": "=close"}),
    (r"^certificates/verify/", {"code": "certificate.code"}),
]
API_PARAMS = [
    (r"^/api/v1/enterprises/imports/", {"id": "import_job.pk"}),
    (
        r"^/api/v1/enterprises/\{id\}/(verify|reject|request-revision|archive|submit)/",
        {"id": "submitted.pk"},
    ),
    (r"^/api/v1/enterprises/", {"id": "enterprise.pk", "flag_id": "flag.pk"}),
    (r"^/api/v1/regions/", {"code": "=35.73"}),
    (r"^/api/v1/kbli/", {"id": "kbli.pk"}),
    (
        r"^/api/v1/partners/",
        {"id": "partner.pk", "invitation_id": "invitation.pk", "member_id": "member.pk"},
    ),
    (r"^/api/v1/agreements/", {"id": "agreement.pk"}),
    (
        r"^/api/v1/programs/\{program_pk\}/sessions/",
        {"program_pk": "running.pk", "id": "session.pk"},
    ),
    (
        r"^/api/v1/programs/\{program_pk\}/stages/",
        {"program_pk": "program.pk", "order": "=1", "id": "review.pk"},
    ),
    (r"^/api/v1/programs/", {"id": "program.pk"}),
    (r"^/api/v1/applications/\{id\}/(respond|selection)/", {"id": "accepted.pk"}),
    (r"^/api/v1/applications/", {"id": "application.pk", "question_id": "question.pk"}),
    (r"^/api/v1/attendance/", {"id": "attendance.pk"}),
    (r"^/api/v1/participants/", {"id": "participant.pk"}),
    (r"^/api/v1/outcomes/", {"id": "survey.pk"}),
    (r"^/api/v1/reviews/", {"id": "review.pk"}),
    (r"^/api/v1/decisions/", {"id": "decision.pk"}),
    (r"^/api/v1/selection-runs/", {"id": "run.pk"}),
    (r"^/api/v1/privacy/consents/", {"id": "consent.pk"}),
    (r"^/api/v1/data-requests/", {"id": "data_request.pk"}),
    (r"^/api/v1/notification-log/", {"id": "outbox.pk"}),
    (r"^/api/v1/notifications/", {"id": "notification.pk"}),
    (r"^/api/v1/stats/programs/", {"program_pk": "running.pk"}),
]


def _future(days: int) -> str:
    from django.utils import timezone

    return (timezone.now() + timedelta(days=days)).isoformat()


FIGURES = {
    "monthly_output": "100.00",
    "output_unit": "pcs",
    "unit_cost": "1000.00",
    "selling_price": "2000.00",
    "monthly_turnover": "200000.00",
    "workers": 2,
}

# Request bodies: valid ones where an empty body would stop at validation before the gate, so
# the matrix shows who may do it. Values are callables of the world.
API_BODIES = {
    "POST /api/v1/programs/": lambda w: {
        "title": "Program Baru",
        "description": "Pelatihan",
        "partner": w.partner.pk,
        "opens_at": _future(1),
        "closes_at": _future(30),
    },
    "PUT /api/v1/programs/{id}/": lambda w: {
        "title": "Program Diubah",
        "description": "Pelatihan",
        "partner": w.partner.pk,
        "opens_at": _future(1),
        "closes_at": _future(30),
    },
    "POST /api/v1/programs/{id}/cancel/": lambda w: {"reason": "Dibatalkan"},
    "POST /api/v1/programs/{program_pk}/sessions/": lambda w: {
        "stage": w.running.stages.get(order=1).pk,
        "title": "Sesi Baru",
        "starts_at": _future(2),
        "ends_at": _future(3),
        "place": "Balai",
    },
    "PUT /api/v1/programs/{program_pk}/sessions/{id}/": lambda w: {
        "stage": w.running.stages.get(order=1).pk,
        "title": "Sesi Diubah",
        "starts_at": _future(2),
        "ends_at": _future(3),
        "place": "Balai",
    },
    "POST /api/v1/partners/invitations/accept/": lambda w: {"token": INVITATION_TOKEN},
    "POST /api/v1/programs/{program_pk}/sessions/{id}/cancel/": lambda w: {"reason": "Hujan"},
    "POST /api/v1/attendance/": lambda w: {
        "session": w.session.pk,
        "participant": w.participant.pk,
        "status": "present",
    },
    "POST /api/v1/participants/": lambda w: {
        "application": w.accepted.pk,
        "stage": w.running.stages.get(order=2).pk,
    },
    "POST /api/v1/participants/{id}/transition/": lambda w: {"to": "paused", "reason": "Sakit"},
    "POST /api/v1/participants/{id}/certificate/revoke/": lambda w: {"reason": "Salah"},
    "POST /api/v1/outcomes/request/": lambda w: {"program": w.running.pk, "wave": "followup"},
    "POST /api/v1/outcomes/": lambda w: {
        "application": w.accepted.pk,
        "wave": "followup",
        **FIGURES,
    },
    "PUT /api/v1/outcomes/{id}/": lambda w: {
        "application": w.accepted.pk,
        "wave": "endline",
        **FIGURES,
    },
    "PATCH /api/v1/outcomes/{id}/": lambda w: FIGURES,
    "POST /api/v1/reviews/": lambda w: {"application": w.application.pk, "stage": 1, "draft": True},
    "POST /api/v1/programs/{program_pk}/stages/{order}/selection/adjust/": lambda w: {
        "application": w.application.pk,
        "decision": "auto",
    },
    "POST /api/v1/applications/": lambda w: {
        "program": w.program_b.pk,
        "enterprise": w.enterprise.pk,
    },
    "POST /api/v1/applications/{id}/screen/": lambda w: {"eligible": True, "reason": "ok"},
    "POST /api/v1/applications/{id}/respond/": lambda w: {"accept": True},
    "POST /api/v1/enterprises/{id}/merge/": lambda w: {"drop": w.other_enterprise.pk},
    "POST /api/v1/enterprises/search-nik/": lambda w: {"nik": w.enterprise.owner_nik},
    "POST /api/v1/enterprises/{id}/reject/": lambda w: {"reason": "Tidak lengkap"},
    "POST /api/v1/enterprises/{id}/request-revision/": lambda w: {"reason": "Lengkapi"},
    "POST /api/v1/enterprises/{id}/archive/": lambda w: {"reason": "Tutup"},
    "POST /api/v1/agreements/{id}/terminate/": lambda w: {"reason": "Selesai"},
    "POST /api/v1/partners/{id}/invitations/": lambda w: {
        "email": "baru@example.id",
        "role": "partner_reviewer",
    },
    "POST /api/v1/partners/": lambda w: {"name": "PT Baru", "email": "pt@example.id"},
    "PUT /api/v1/partners/{id}/": lambda w: {"name": "PT Mitra A", "email": "a@example.id"},
    "POST /api/v1/programs/{program_pk}/stages/{order}/assignments/": lambda w: {
        "application": w.application.pk,
        "reviewer": w.users["reviewer_a"].pk,
    },
    "POST /api/v1/notification-log/{id}/resend/": lambda w: {},
    "POST /api/v1/privacy/consents/": lambda w: {"purpose": "news"},
    "POST /api/v1/enterprises/{id}/unmask-nik/": lambda w: {"reason": "Verifikasi data"},
    "POST /api/v1/data-requests/": lambda w: {"kind": "correction", "details": "Nama salah."},
}


def _value(world: World, spec: str) -> str:
    if spec.startswith("="):
        return spec[1:]
    obj = world
    for part in spec.split("."):
        obj = getattr(obj, part)
    return str(obj)


def _params_for(rules, key: str) -> dict[str, str]:
    for pattern, params in rules:
        if re.search(pattern, key):
            return params
    return {}


def page_url(world: World, route: str, overrides: dict | None = None) -> str:
    params = {**_params_for(PAGE_PARAMS, route), **(overrides or {})}

    def fill(match):
        name = match.group(2)
        if name not in params:
            raise KeyError(f"no value for <{name}> in {route}: add it to PAGE_PARAMS")
        return _value(world, params[name])

    # A re_path first: its named groups, anchors and escapes.
    url = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: _value(world, params[m.group(1)]), route)
    url = url.replace("^", "").replace("$", "").replace("\\.", ".")
    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", fill, url)


def api_url(world: World, path: str, overrides: dict | None = None) -> str:
    params = {**_params_for(API_PARAMS, path), **(overrides or {})}

    def fill(match):
        name = match.group(1)
        if name not in params:
            raise KeyError(f"no value for {{{name}}} in {path}: add it to API_PARAMS")
        return _value(world, params[name])

    return re.sub(r"\{(\w+)\}", fill, path)


def route_of(url: str) -> str | None:
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return None
    return match.route


def outcome(response) -> str:
    if response.status_code in (301, 302, 303):
        target = urlsplit(response["Location"]).path
        if target in (resolve_url(settings.LOGIN_URL), "/admin/login/"):
            return LOGIN
    return str(response.status_code)


def request_as(world: World, role: str, method: str, url: str, data=None, api=False) -> str:
    """One request as that role in a savepoint that is rolled back, so nothing it changes
    stays for the next one."""
    with transaction.atomic():
        client = Client(raise_request_exception=False)
        if world.sessions.get(role):
            client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
        call = getattr(client, method.lower())
        if api and method != "GET":
            response = call(url, json.dumps(data or {}), content_type="application/json")
        elif method == "GET":
            response = call(url, data or {})
        else:
            response = call(url, data or {})
        result = outcome(response)
        transaction.set_rollback(True)
    return result


def row(world: World, method: str, url: str, data=None, api=False) -> str:
    return " ".join(request_as(world, role, method, url, data, api) for role in ROLES)
