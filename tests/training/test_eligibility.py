"""Each eligibility rule passing and failing, with its reason."""

import pytest
from django.utils import translation

from tests.factories import ApplicationFactory, ProgramFactory, VerifiedEnterpriseFactory
from training.choices import ApplicationStatus, ProgramStatus
from training.eligibility import Facts, Rules, all_ok, evaluate
from training.selectors import eligibility_check

OFFICE = "35.73"
GOOD = Facts(
    verified=True,
    size_class="kecil",
    kelurahan_code="35.73.05.1004",
    kecamatan_code="35.73.05",
    kecamatan_name="Lowokwaru",
    kbli_codes=("10391",),
    year_established=2015,
    nib="9120000000001",
)
SIZES = {"kecil": "Industri Kecil", "menengah": "Industri Menengah", "besar": "Industri Besar"}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def check(rules=Rules(), **facts):
    base = GOOD.__dict__ | facts
    return {
        r.rule: (r.ok, r.reason)
        for r in evaluate(
            rules,
            Facts(**base),
            office_region=OFFICE,
            office_region_name="Kota Malang",
            current_year=2026,
            size_labels=SIZES,
            kecamatan_names={"35.73.05": "Lowokwaru", "35.73.01": "Blimbing"},
        )
    }


def test_default_rules_check_verified_size_and_region_only():
    results = check()
    assert results == {
        "verified": (True, "The business is verified by the office."),
        "size_class": (
            True,
            "Size class Industri Kecil is among those accepted (Industri Kecil, Industri Menengah).",
        ),
        "region": (True, "The business is located in Kota Malang."),
    }


def test_rule_verified_fails_with_reason():
    assert check(verified=False)["verified"] == (
        False,
        "The business is not verified by the office yet.",
    )


def test_rule_size_class_fails_with_reason():
    assert check(size_class="besar")["size_class"] == (
        False,
        "Size class Industri Besar is not among those accepted (Industri Kecil, Industri Menengah).",
    )


def test_rule_size_class_empty_set_accepts_any():
    assert "size_class" not in check(Rules(size_classes=()), size_class="besar")


def test_rule_region_office_fails_outside():
    assert check(kelurahan_code="35.07.01.2001", kecamatan_code="35.07.01")["region"] == (
        False,
        "The business is not located in Kota Malang.",
    )


def test_rule_region_kecamatan_passes():
    assert check(Rules(kecamatan_codes=("35.73.05",)))["region"] == (
        True,
        "Kecamatan Lowokwaru is among those accepted (Lowokwaru).",
    )


def test_rule_region_kecamatan_fails():
    assert check(Rules(kecamatan_codes=("35.73.01",)))["region"] == (
        False,
        "Kecamatan Lowokwaru is not among those accepted (Blimbing).",
    )


def test_rule_kbli_division_passes():
    assert check(Rules(kbli_divisions=("10", "11")))["kbli_division"] == (
        True,
        "KBLI division 10 is among those accepted (10, 11).",
    )


def test_rule_kbli_division_fails():
    assert check(Rules(kbli_divisions=("13",)), kbli_codes=("10391", "31001"))["kbli_division"] == (
        False,
        "No product is in an accepted KBLI division (13); found: 10, 31.",
    )


def test_rule_kbli_division_fails_without_products():
    assert check(Rules(kbli_divisions=("13",)), kbli_codes=())["kbli_division"] == (
        False,
        "No product has a KBLI code; accepted divisions: 13.",
    )


def test_rule_years_operating_passes_on_the_boundary():
    assert check(Rules(min_years_operating=3), year_established=2023)["years_operating"] == (
        True,
        "Operating for 3 years (at least 3 required).",
    )


def test_rule_years_operating_fails_below():
    assert check(Rules(min_years_operating=3), year_established=2024)["years_operating"] == (
        False,
        "Operating for 2 years; at least 3 are required.",
    )


def test_rule_years_operating_fails_when_unknown():
    assert check(Rules(min_years_operating=3), year_established=None)["years_operating"] == (
        False,
        "The founding year is not known; at least 3 years are required.",
    )


def test_rule_nib_passes():
    assert check(Rules(require_nib=True))["nib"] == (True, "The business has a NIB.")


def test_rule_nib_fails():
    assert check(Rules(require_nib=True), nib="")["nib"] == (
        False,
        "A NIB (Nomor Induk Berusaha) is required; the business has none yet.",
    )


def test_rule_nib_not_checked_when_optional():
    assert "nib" not in check(nib="")


def test_rule_not_in_running_program_passes():
    assert check(Rules(exclude_running_participants=True))["not_in_running_program"] == (
        True,
        "The owner is not taking part in another running programme.",
    )


def test_rule_not_in_running_program_fails():
    result = check(Rules(exclude_running_participants=True), running_programs=("Program A",))
    assert result["not_in_running_program"] == (
        False,
        "The owner already takes part in a running programme: Program A.",
    )


def test_all_ok_is_false_when_one_rule_fails():
    rules = Rules(require_nib=True)
    results = evaluate(
        rules, Facts(**(GOOD.__dict__ | {"nib": ""})), office_region=OFFICE, current_year=2026
    )
    assert all_ok(results) is False


# --- Against the registry's data ---------------------------------------------------------------


@pytest.mark.django_db
def test_eligibility_check_reads_the_enterprise(owner):
    program = ProgramFactory(rules={"kbli_divisions": ["10"], "require_nib": True})
    enterprise = VerifiedEnterpriseFactory(owner=owner)
    results = {r.rule: r.ok for r in eligibility_check(program=program, enterprise=enterprise)}
    assert results == {
        "verified": True,
        "size_class": True,
        "region": True,
        "kbli_division": True,
        "nib": True,
    }


@pytest.mark.django_db
def test_eligibility_check_running_programme_of_the_same_owner_fails(owner):
    running = ProgramFactory(
        status=ProgramStatus.RUNNING, title="Program Berjalan", with_setup=True
    )
    ApplicationFactory(
        program=running,
        enterprise=VerifiedEnterpriseFactory(owner=owner),
        status=ApplicationStatus.ACCEPTED,
    )
    program = ProgramFactory(rules={"exclude_running_participants": True})
    other_business = VerifiedEnterpriseFactory(owner=owner)
    results = {r.rule: r for r in eligibility_check(program=program, enterprise=other_business)}
    assert results["not_in_running_program"].ok is False
    assert "Program Berjalan" in results["not_in_running_program"].reason


@pytest.mark.django_db
def test_eligibility_check_unverified_business_fails(owner):
    from tests.factories import EnterpriseFactory

    program = ProgramFactory()
    enterprise = EnterpriseFactory(owner=owner, submitted=True)
    results = {r.rule: r.ok for r in eligibility_check(program=program, enterprise=enterprise)}
    assert results["verified"] is False
