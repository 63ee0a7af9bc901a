from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import (
    AgreementFactory,
    ApplicationFactory,
    PartnerFactory,
    PartnerMemberFactory,
    ProgramFactory,
    RegionFactory,
)
from training.choices import ProgramStatus
from training.models import Program

pytestmark = pytest.mark.django_db

FIELDS = {
    "id",
    "title",
    "description",
    "partner",
    "agreement",
    "venue",
    "mode",
    "opens_at",
    "closes_at",
    "starts_on",
    "ends_on",
    "status",
    "tracks",
    "stages",
    "eligibility",
    "questions",
}


def sampoerna_payload(partner, agreement, **extra):
    now = timezone.now()
    return {
        "title": "Program Efisiensi Produk untuk IKM Kota Malang",
        "description": "Kerjasama kemitraan dengan PT HM Sampoerna Tbk.",
        "partner": partner.pk,
        "agreement": agreement.pk if agreement else None,
        "venue": {"name": "PPK Sampoerna", "address": "Sukorejo, Pasuruan"},
        "mode": "tatap_muka",
        "opens_at": (now - timedelta(hours=1)).isoformat(),
        "closes_at": (now + timedelta(days=30)).isoformat(),
        "starts_on": (now + timedelta(days=40)).date().isoformat(),
        "ends_on": (now + timedelta(days=120)).date().isoformat(),
        "tracks": [
            {"name": "Efisiensi Produksi", "seats": 30},
            {"name": "Pengemasan & Label", "seats": 20},
            {"name": "Pemasaran Digital", "seats": 20},
            {"name": "Manajemen Keuangan", "seats": 15},
            {"name": "Pengolahan Pangan", "seats": 15},
        ],
        "stages": [
            {"order": 1, "name": "Pembinaan", "seats": 100},
            {"order": 2, "name": "Pembinaan Lanjutan", "seats": 20},
        ],
        "eligibility": {"size_classes": ["kecil", "menengah"], "require_nib": False},
        "questions": [
            {"text": "Masalah produksi terbesar?", "kind": "long_text", "required": True},
            {
                "text": "Kemasan sekarang?",
                "kind": "single_choice",
                "options": ["Plastik", "Karton"],
                "track": "Pengemasan & Label",
            },
        ],
        **extra,
    }


def test_api_staff_creates_the_sampoerna_programme_and_opens_it(api_as, staff):
    partner = PartnerFactory(name="PT HM Sampoerna Tbk")
    agreement = AgreementFactory(partner=partner)
    client = api_as(staff)
    response = client.post(
        "/api/v1/programs/", sampoerna_payload(partner, agreement), format="json"
    )
    assert response.status_code == 201, response.data
    data = response.data
    assert set(data) >= FIELDS
    assert data["status"] == "draft"
    assert data["venue"] == {"name": "PPK Sampoerna", "address": "Sukorejo, Pasuruan"}
    assert [(t["name"], t["seats"]) for t in data["tracks"]] == [
        ("Efisiensi Produksi", 30),
        ("Pengemasan & Label", 20),
        ("Pemasaran Digital", 20),
        ("Manajemen Keuangan", 15),
        ("Pengolahan Pangan", 15),
    ]
    assert set(data["tracks"][0]) >= {"id", "name", "seats"}
    assert [(s["order"], s["name"], s["seats"]) for s in data["stages"]] == [
        (1, "Pembinaan", 100),
        (2, "Pembinaan Lanjutan", 20),
    ]
    assert data["eligibility"] == {
        "require_verified": True,
        "size_classes": ["kecil", "menengah"],
        "kecamatan": [],
        "kbli_divisions": [],
        "min_years_operating": None,
        "require_nib": False,
        "exclude_running_participants": False,
    }
    packaging = next(t["id"] for t in data["tracks"] if t["name"] == "Pengemasan & Label")
    assert [q["track"] for q in data["questions"]] == [None, packaging]
    opened = client.post(f"/api/v1/programs/{data['id']}/open/")
    assert (opened.status_code, opened.data["status"]) == (200, "open")


def test_api_program_agreement_of_another_partner_is_400(api_as, staff):
    partner = PartnerFactory()
    foreign = AgreementFactory()
    response = api_as(staff).post(
        "/api/v1/programs/", sampoerna_payload(partner, foreign), format="json"
    )
    assert response.status_code == 400
    assert set(response.data) == {"detail", "code", "agreement"}
    assert Program.objects.count() == 0


def test_api_program_without_partner_is_the_offices_own(api_as, staff):
    payload = sampoerna_payload(PartnerFactory(), None)
    payload["partner"] = None
    response = api_as(staff).post("/api/v1/programs/", payload, format="json")
    assert (response.status_code, response.data["partner"]) == (201, None)


def test_api_program_stage_seats_growing_is_400(api_as, staff):
    payload = sampoerna_payload(PartnerFactory(), None)
    payload["stages"] = [
        {"order": 1, "name": "A", "seats": 20},
        {"order": 2, "name": "B", "seats": 100},
    ]
    response = api_as(staff).post("/api/v1/programs/", payload, format="json")
    assert response.status_code == 400
    assert "stages" in response.data


def test_api_program_close_before_open_is_400(api_as, staff):
    payload = sampoerna_payload(PartnerFactory(), None)
    payload["closes_at"], payload["opens_at"] = payload["opens_at"], payload["closes_at"]
    response = api_as(staff).post("/api/v1/programs/", payload, format="json")
    assert response.status_code == 400
    assert "closes_at" in response.data


def test_api_program_unknown_kecamatan_is_400(api_as, staff):
    RegionFactory()
    payload = sampoerna_payload(PartnerFactory(), None)
    payload["eligibility"] = {"kecamatan": ["35.73.05", "99.99.99"]}
    response = api_as(staff).post("/api/v1/programs/", payload, format="json")
    assert response.status_code == 400
    assert "99.99.99" in response.data["kecamatan_codes"][0]


def test_api_program_open_without_tracks_is_409(api_as, staff):
    program = ProgramFactory(status=ProgramStatus.DRAFT)
    response = api_as(staff).post(f"/api/v1/programs/{program.pk}/open/")
    assert response.status_code == 409
    assert set(response.data) >= {"tracks", "stages"}


def test_api_program_close_and_cancel(api_as, staff):
    program = ProgramFactory(with_setup=True)
    client = api_as(staff)
    assert client.post(f"/api/v1/programs/{program.pk}/close/").data["status"] == "reviewing"
    assert (
        client.post(f"/api/v1/programs/{program.pk}/cancel/", {}, format="json").status_code == 400
    )
    response = client.post(
        f"/api/v1/programs/{program.pk}/cancel/", {"reason": "Mitra mundur"}, format="json"
    )
    assert (response.status_code, response.data["status"]) == (200, "cancelled")
    assert client.post(f"/api/v1/programs/{program.pk}/open/").status_code == 409


def test_api_program_update_replaces_tracks_keeping_ids(api_as, staff, program):
    tracks = [{"id": t.pk, "name": t.name, "seats": t.seats} for t in program.tracks.all()]
    tracks[0]["name"] = "Efisiensi Produksi Lanjut"
    kept_ids = [t["id"] for t in tracks[:3]]
    response = api_as(staff).patch(
        f"/api/v1/programs/{program.pk}/",
        {"tracks": [*tracks[:3], {"name": "Baru", "seats": 5}]},
        format="json",
    )
    assert response.status_code == 200, response.data
    assert [t["id"] for t in response.data["tracks"]][:3] == kept_ids
    assert [t["name"] for t in response.data["tracks"]] == [
        "Efisiensi Produksi Lanjut",
        "Pengemasan & Label",
        "Pemasaran Digital",
        "Baru",
    ]


def test_api_program_removing_a_chosen_track_is_400(api_as, staff, program, tracks):
    ApplicationFactory(program=program, tracks=[tracks[4]])
    keep = [{"id": t.pk, "name": t.name, "seats": t.seats} for t in tracks[:4]]
    response = api_as(staff).patch(
        f"/api/v1/programs/{program.pk}/", {"tracks": keep}, format="json"
    )
    assert response.status_code == 400
    assert program.tracks.count() == 5


def test_api_partner_manager_co_manages_only_when_allowed(api_as, program):
    manager = PartnerMemberFactory(partner=program.partner, role="partner_manager").user
    client = api_as(manager)
    assert (
        client.patch(
            f"/api/v1/programs/{program.pk}/", {"description": "x"}, format="json"
        ).status_code
        == 403
    )
    program.partner_can_manage = True
    program.save()
    response = client.patch(
        f"/api/v1/programs/{program.pk}/",
        {"description": "Baru", "partner_can_manage": False},
        format="json",
    )
    assert (response.status_code, response.data["description"]) == (200, "Baru")
    program.refresh_from_db()
    assert program.partner_can_manage is True  # only the office decides that
    assert client.post(f"/api/v1/programs/{program.pk}/close/").status_code == 200
    assert (
        client.post(
            f"/api/v1/programs/{program.pk}/cancel/", {"reason": "x"}, format="json"
        ).status_code
        == 403
    )


@pytest.mark.parametrize(
    ("who", "open_list", "draft_detail", "create", "open_action"),
    [
        ("anonymous", None, 401, 401, 401),
        ("owner", 2, 404, 403, 404),
        ("other_owner", 2, 404, 403, 404),
        ("staff", 3, 200, 201, 200),
        ("partner_of_program", 3, 200, 403, 403),
        ("partner_of_other", 2, 404, 403, 404),
    ],
)
def test_api_programs_visibility(
    api_as, users, program, who, open_list, draft_detail, create, open_action
):
    """`program` is open; a draft of the same partner exists; `partner_of_other` runs its own
    open programme (so two are published in all)."""
    draft = ProgramFactory(partner=program.partner, status=ProgramStatus.DRAFT, with_setup=True)
    client = api_as(users[who])
    response = client.get("/api/v1/programs/")
    if open_list is None:
        assert response.status_code == 401
    else:
        assert (response.status_code, response.data["count"]) == (200, open_list)
    assert client.get(f"/api/v1/programs/{draft.pk}/").status_code == draft_detail
    payload = sampoerna_payload(PartnerFactory(), None)
    assert client.post("/api/v1/programs/", payload, format="json").status_code == create
    assert client.post(f"/api/v1/programs/{draft.pk}/open/").status_code == open_action


def test_api_program_list_query_count_same_for_1_and_20(api_as, staff):
    client = api_as(staff)
    ProgramFactory(with_setup=True)
    client.get("/api/v1/programs/")
    with CaptureQueriesContext(connection) as one:
        assert client.get("/api/v1/programs/").data["count"] == 1
    for _ in range(19):
        ProgramFactory(with_setup=True)
    with CaptureQueriesContext(connection) as twenty:
        assert client.get("/api/v1/programs/").data["count"] == 20
    assert len(one) == len(twenty)
