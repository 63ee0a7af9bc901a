"""The import's compiled validator (imports.RowValidator) against EnterpriseSerializer: on every
kind of bad row it gives the serializer's errors, in the same order with the same messages and
codes, and on good rows the same validated values. The two cannot drift apart unnoticed."""

from decimal import Decimal

import pytest
from django.utils import translation
from rest_framework.exceptions import ValidationError as DRFValidationError

from registry.api.serializers import EnterpriseSerializer, service_kwargs
from registry.models import Sentra
from registry.services import imports

pytestmark = pytest.mark.django_db

GOOD = {
    "name": "Keripik Tempe Sanan Jaya",
    "brand": "Sanan Jaya",
    "owner_name": "Siti Aminah",
    "owner_nik": "3573054512850001",
    "owner_gender": "P",
    "phone": "081234567890",
    "email": "",
    "nib": "9120001234567",
    "npwp": "",
    "legal_form": "UD",
    "year_established": "2015",
    "sentra": "",
    "address": "Jl. Sanan No. 12",
    "rt_rw": "003/005",
    "kelurahan": "Purwantoro",
    "_kecamatan": "Blimbing",
    "postal_code": "65122",
    "latitude": "",
    "longitude": "",
    "workers_male": 2,
    "workers_female": 3,
    "_workers_total": "",
    "investment_idr": 75_000_000,
    "land_building_idr": "",
    "annual_turnover_idr": "Rp 360.000.000",
    "modal_usaha_idr": "",
    "_kbli": "10391",
    "_product": "Keripik tempe",
    "_capacity": 12000,
    "_unit": "kg",
    "_raw": "Kedelai",
    "_reach": "Regional",
    "_certifications": "Halal, PIRT",
}

# One bad value (or a few) per case: the cells as an office spreadsheet holds them.
BAD_CELLS = {
    "nik_short": {"owner_nik": "12345"},
    "nik_day_00": {"owner_nik": "3573050000000000"},
    "nik_province": {"owner_nik": "0973054512850001"},
    "nik_month": {"owner_nik": "3573054513850001"},
    "nik_sequence": {"owner_nik": "3573054512850000"},
    "nik_letters": {"owner_nik": "35730545128500AB"},
    "nik_separators_ok": {"owner_nik": "3573 0545 1285 0001"},
    "phone_short": {"phone": "0812"},
    "phone_too_long": {"phone": "0812-3456-7890-1234"},
    "phone_landline": {"phone": "0341 551234"},
    "phone_plus": {"phone": "+62 812 3456 7890"},  # 17 characters: too long before normalising
    "phone_plus_ok": {"phone": "+6281234567890"},
    "nib_short": {"nib": "123"},
    "nib_14": {"nib": "91200012345678"},
    "nib_separators": {"nib": "9120-0012-3456-7"},
    "npwp_short": {"npwp": "123"},
    "npwp_15": {"npwp": "012345678901000"},
    "npwp_dotted": {"npwp": "01.234.567.8-901.000"},
    "postal_4": {"postal_code": "6512"},
    "postal_6": {"postal_code": "651222"},
    "postal_zero": {"postal_code": "05122"},
    "rt_rw_words": {"rt_rw": "RT 3 RW 5"},
    "rt_rw_long": {"rt_rw": "RT 003 RW 005"},
    "rt_rw_zero": {"rt_rw": "0/5"},
    "rt_rw_one": {"rt_rw": "12"},
    "email_bad": {"email": "not-an-email"},
    "email_long": {"email": "a" * 250 + "@b.co"},
    "name_long": {"name": "N" * 201},
    "name_null": {"name": "Keripik\x00Tempe"},
    "brand_long": {"brand": "B" * 151},
    "owner_long": {"owner_name": "O" * 151},
    "address_long": {"address": "A" * 256},
    "year_future": {"year_established": "3000"},
    "year_early": {"year_established": "1850"},
    "year_huge": {"year_established": "70000"},
    "year_negative": {"year_established": "-5"},
    "year_text": {"year_established": "lama"},
    "lat_range": {"latitude": "100"},
    "lat_places": {"latitude": "-7.96661234567"},
    "lat_ok": {"latitude": "-7.9666", "longitude": "112.6326"},
    "lon_range": {"longitude": "200"},
    "lon_digits": {"longitude": "1234.5"},
    "workers_negative": {"workers_male": -1},
    "workers_female_negative": {"workers_female": -3, "workers_male": 5},
    "workers_zero": {"workers_male": 0, "workers_female": 0},
    "workers_total_less": {"_workers_total": 2},
    "workers_total_only": {"workers_male": "", "workers_female": "", "_workers_total": 7},
    "workers_huge": {"workers_male": 10**10},
    "money_negative": {"investment_idr": -5},
    "money_huge": {"annual_turnover_idr": 10**20},
    "money_fraction": {"investment_idr": "1,5"},
    "money_all_bad": {"investment_idr": -1, "land_building_idr": -2, "modal_usaha_idr": -3},
    "kbli_not_industry": {"_kbli": "46100"},
    "kbli_unknown": {"_kbli": "99999"},
    "kbli_long": {"_kbli": "103911"},
    "kbli_division": {"_kbli": "10"},
    "kbli_missing": {"_kbli": ""},
    "product_long": {"_product": "P" * 151},
    "product_name_from_business": {"_product": ""},
    "capacity_negative": {"_capacity": -5},
    "capacity_digits": {"_capacity": 10**15},
    "capacity_places": {"_capacity": "1,234"},
    "unit_unknown": {"_unit": "karung"},
    "raw_long": {"_raw": "R" * 256},
    "reach_unknown": {"_reach": "Mars"},
    "cert_unknown": {"_certifications": "Halal, ISO"},
    "cert_none": {"_certifications": "tidak ada"},
    "gender_unknown": {"owner_gender": "X"},
    "gender_from_nik": {"owner_gender": ""},
    "legal_unknown": {"legal_form": "Yayasan"},
    "legal_blank": {"legal_form": ""},
    "sentra_unknown": {"sentra": "Sentra Antah"},
    "sentra_known": {"sentra": "Sentra Keripik Tempe Sanan"},
    "kelurahan_unknown": {"kelurahan": "Atlantis"},
    "kelurahan_code": {"kelurahan": "35.73.01.1007", "_kecamatan": ""},
    "kelurahan_code_outside": {"kelurahan": "35.07.01.2001", "_kecamatan": ""},
    "kecamatan_mismatch": {"_kecamatan": "Klojen"},
    "nik_as_number": {"owner_nik": 3573054512850001},
    "phone_as_number": {"phone": 81234567890},
    "many_at_once": {
        "owner_nik": "123",
        "phone": "0812",
        "nib": "1",
        "postal_code": "1",
        "year_established": "3000",
        "workers_male": -2,
        "investment_idr": -1,
        "_kbli": "46100",
        "_unit": "karung",
    },
}

# API-shaped values the spreadsheet mapping never produces, for the fields' other branches.
BAD_DATA = {
    "name_not_text": {"name": ["a list"]},
    "name_surrogate": {"name": "Keripik \ud800"},
    "name_blank_spaces": {"name": "   "},
    "phone_number_type": {"phone": 812345},
    "gender_invalid_choice": {"owner_gender": "x"},
    "legal_invalid_choice": {"legal_form": "yayasan"},
    "year_bool": {"year_established": True},
    "year_none": {"year_established": None},
    "workers_none": {"workers_male": None},
    "lat_nan": {"latitude": Decimal("NaN")},
    "lat_text": {"latitude": "utara"},
    "kelurahan_unknown_code": {"kelurahan": "35.73.99.9999"},
    "sentra_unknown_pk": {"sentra": 999_999},
    "products_not_list": {"products": {"kbli_code": "10391"}},
    "products_empty": {"products": []},
    "product_no_code": {"products": [{"name": "Tempe"}]},
    "product_blank_name": {"products": [{"kbli_code": "10391", "name": ""}]},
    "product_version": {"products": [{"kbli_code": "10391", "kbli_version": "2009", "name": "X"}]},
    "certification_unknown": {"certifications": [{"kind": "iso"}]},
    "certification_number": {"certifications": [{"kind": "halal", "number": "N" * 101}]},
    "certifications_not_list": {"certifications": "halal"},
}


@pytest.fixture
def lookups(reference):
    Sentra.objects.create(name="Sentra Keripik Tempe Sanan", active=True)
    return imports.Lookups.load()


def _serializer(lookups):
    return EnterpriseSerializer(
        context={
            "kbli_cache": lookups.kbli,
            "region_cache": lookups.regions,
            "sentra_cache": {s.pk: s for s in lookups.sentra.values()},
        }
    )


def _plain(detail):
    """Error detail as comparable plain data: every message with its code."""
    if isinstance(detail, dict):
        return {key: _plain(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_plain(value) for value in detail]
    return (str(detail), getattr(detail, "code", None))


def _exact(value):
    """Validated values compared exactly (Decimal('1.0') is not Decimal('1.00'); a model
    instance by its class and key)."""
    if isinstance(value, dict):
        return {key: _exact(v) for key, v in value.items()}
    if isinstance(value, list):
        return [_exact(v) for v in value]
    if isinstance(value, Decimal):
        return ("decimal", str(value))
    if hasattr(value, "_meta"):
        return (value._meta.label, value.pk)
    return (type(value).__name__, value)


def _both(lookups, data):
    try:
        expected = (service_kwargs(_serializer(lookups).run_validation(data)), None)
    except DRFValidationError as exc:
        expected = (None, exc.detail)
    validated, detail = imports.RowValidator(lookups).validate(data)
    got = (None if validated is None else service_kwargs(validated), detail)
    return expected, got


def _assert_same(expected, got):
    assert _plain(got[1]) == _plain(expected[1])
    assert _exact(got[0]) == _exact(expected[0])
    if expected[1] is not None:
        assert imports._serializer_errors(got[1]) == imports._serializer_errors(expected[1])


def test_the_validator_compiles_every_field(lookups):
    """Every field of EnterpriseSerializer has a fast path: if one did not, the import would
    silently run that field through DRF on every row."""
    validator = imports.RowValidator(lookups)
    assert validator.compiled
    assert [name for name, _f, fast, _m in validator.fields if fast is None] == []


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("case", sorted(BAD_CELLS))
def test_validator_gives_the_serializers_errors_for_bad_cells(lookups, case, language):
    cells = GOOD | BAD_CELLS[case]
    with translation.override(language):
        data, _problems = imports.row_to_data(cells, lookups)
        expected, got = _both(lookups, data)
    _assert_same(expected, got)


@pytest.mark.parametrize("case", sorted(BAD_DATA))
def test_validator_gives_the_serializers_errors_for_bad_values(lookups, case):
    data, _problems = imports.row_to_data(GOOD, lookups)
    data |= BAD_DATA[case]
    expected, got = _both(lookups, data)
    _assert_same(expected, got)


def test_validator_gives_the_serializers_values_for_a_good_row(lookups):
    data, problems = imports.row_to_data(GOOD, lookups)
    expected, got = _both(lookups, data)
    assert problems == []
    assert expected[1] is None
    _assert_same(expected, got)
    assert got[0]["data"]["phone"] == "+6281234567890"
    assert got[0]["products"][0]["capacity_per_year"] == Decimal("12000.00")


def test_every_bad_case_is_refused_by_someone(lookups):
    """The cases are bad rows indeed (else the comparison above proves little): each has an
    error from the mapping or from the serializer, except those named *_ok / known."""
    fine = {
        "nik_separators_ok",
        "phone_plus_ok",
        "npwp_15",
        "lat_ok",
        "workers_total_only",
        "product_name_from_business",
        "cert_none",
        "gender_from_nik",
        "legal_blank",
        "sentra_known",
        "kelurahan_code",
        "phone_as_number",
        "rt_rw_words",
    }
    for case, cells in BAD_CELLS.items():
        if case == "workers_huge":
            continue  # the integer range is the database's: SQLite has none
        data, problems = imports.row_to_data(GOOD | cells, lookups)
        _validated, detail = imports.RowValidator(lookups).validate(data)
        assert (not problems and detail is None) == (case in fine), case


DECIMALS = ["0", "0.5", "12000", "12000.00", "1E+3", "1E+13", "1E+14", "99999999999999.99"]
DECIMALS += ["999999999999999", "0.001", "-5", "0.000001", "0.0000001", "1234567.891", "-7.9666"]
DECIMALS += ["112.632612", "180.0000001", "NaN", "Infinity", "-Infinity", "1E-30", "123.4E-2"]


@pytest.mark.parametrize("text", DECIMALS)
@pytest.mark.parametrize("field", ["latitude", "products.capacity_per_year"])
def test_the_decimal_fast_path_is_drfs(lookups, text, field):
    serializer = imports.RowValidator(lookups).serializer
    api_field = (
        serializer.fields["products"].child.fields["capacity_per_year"]
        if field.startswith("products")
        else serializer.fields[field]
    )
    fast = imports._decimal_converter(api_field)
    try:
        expected = ("ok", str(api_field.to_internal_value(Decimal(text))))
    except DRFValidationError as exc:
        expected = ("error", _plain(exc.detail))
    try:
        got = ("ok", str(fast(Decimal(text))))
    except DRFValidationError as exc:
        got = ("error", _plain(exc.detail))
    assert got == expected
