import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from registry.models import Enterprise, Kbli, Region, Sentra

pytestmark = pytest.mark.django_db


def test_load_regions_is_idempotent_and_prints_counts(tmp_path):
    out = io.StringIO()
    call_command("load_regions", "--postal-codes", stdout=out)
    assert "63 rows, 63 created, 0 updated (kota 1, kecamatan 5, kelurahan 57)" in out.getvalue()
    out = io.StringIO()
    call_command("load_regions", stdout=out)
    assert "63 rows, 0 created, 0 updated" in out.getvalue()
    assert Region.objects.get(pk="35.73.05.1004").postal_code == "65144"
    assert Region.objects.get(pk="35.73.05.1004").parent_id == "35.73.05"


def test_load_regions_from_a_file_of_the_same_shape(tmp_path):
    path = tmp_path / "regions.csv"
    path.write_text(
        "kode,nama,tingkat,parent_kode\n35,Jawa Timur,provinsi,\n35.07,Kabupaten Malang,kabupaten,35\n"
        "35.07.08,Tumpang,kecamatan,35.07\n35.07.08.2001,Malangsuko,desa,35.07.08\n"
    )
    out = io.StringIO()
    call_command("load_regions", str(path), stdout=out)
    assert "4 rows, 4 created" in out.getvalue()
    assert Region.objects.get(pk="35.07.08.2001").level == "desa"


def test_load_regions_refuses_a_bad_file(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("code,name\n1,x\n")
    with pytest.raises(CommandError):
        call_command("load_regions", str(path), stdout=io.StringIO())


def test_east_java_is_loaded_only_on_request():
    call_command("load_regions", stdout=io.StringIO())
    assert Region.objects.count() == 63
    call_command("load_regions", "--bundled", "jatim", stdout=io.StringIO())
    assert Region.objects.filter(level="desa").count() == 7721
    assert Region.objects.get(pk="35.73").parent_id == "35"


def test_load_kbli_is_idempotent_and_prints_counts():
    out = io.StringIO()
    call_command("load_kbli", stdout=out)
    assert (
        "749 rows, 749 created, 0 updated (section 1, division 24, group 71, subgroup 177, class 476)"
        in out.getvalue()
    )
    call_command("load_kbli", stdout=io.StringIO())
    kbli = Kbli.objects.get(code="10391")
    assert (kbli.version, kbli.level, kbli.title_id) == ("2020", "class", "Industri Tempe Kedelai")
    assert Kbli.objects.get(code="10").title_en == "Manufacture of food products"


def test_regions_api_filters(reference, owner, api_as):
    data = api_as(owner).get("/api/v1/regions/?level=kecamatan&parent=35.73").json()
    assert [r["name"] for r in data["results"]] == [
        "Blimbing",
        "Klojen",
        "Kedungkandang",
        "Sukun",
        "Lowokwaru",
    ]
    kelurahan = api_as(owner).get("/api/v1/regions/?level=kelurahan&parent=35.73.05").json()
    assert kelurahan["count"] == 12


def test_kbli_api_filters(reference, owner, api_as):
    data = api_as(owner).get("/api/v1/kbli/?q=tempe&level=class").json()
    assert [k["code"] for k in data["results"]] == ["10391", "10393", "10793"]
    assert api_as(owner).get("/api/v1/kbli/?level=2").json()["count"] == 24
    codes = [
        k["code"] for k in api_as(owner).get("/api/v1/kbli/?q=103&page_size=100").json()["results"]
    ]
    assert codes[0] == "103" and all(c.startswith("103") for c in codes)


def test_project_never_reads_the_shared_folder():
    root = Path(__file__).resolve().parents[2]
    for path in list(root.joinpath("registry").rglob("*.py")):
        assert "shared/reference" not in path.read_text(), path
    for name in (
        "malang_wilayah.csv",
        "jatim_wilayah.csv",
        "malang_kodepos.csv",
        "kbli2020_c.csv",
        "NOTICE.md",
    ):
        assert root.joinpath("registry", "data", name).exists()


def test_demo_loads_about_200_businesses_once():
    from ikm_portal.accounts.demo import load_demo as accounts_demo
    from registry import demo

    out = io.StringIO()
    accounts_demo(out)
    demo.load_reference(out)
    demo.load_demo(out)
    assert Enterprise.objects.count() == 200
    assert Enterprise.objects.values("kelurahan").distinct().count() == 57
    assert Sentra.objects.count() == 8
    assert Enterprise.objects.filter(sentra__isnull=False).values("sentra").distinct().count() == 8
    owned = Enterprise.objects.filter(owner__email="pemilik@demo.ikm.id")
    assert sorted(owned.values_list("status", flat=True)) == ["draft", "needs_revision", "verified"]
    assert set(Enterprise.objects.values_list("status", flat=True)) == {
        "draft",
        "submitted",
        "needs_revision",
        "verified",
        "rejected",
        "archived",
    }
    demo.load_reference(out)
    demo.load_demo(out)
    assert Enterprise.objects.count() == 200


def test_staff_digest_items(staff):
    from ikm_portal.notifications.digest import staff_digest_items
    from tests.factories import EnterpriseFactory

    EnterpriseFactory(submitted=True)
    EnterpriseFactory(submitted=True)
    items = {i.url: i.count for i in staff_digest_items()}
    assert items["/registry/queue/"] == 2
    assert "/registry/claims/" not in items  # nothing waits there
