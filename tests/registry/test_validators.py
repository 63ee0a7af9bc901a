import datetime

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from ikm_portal.core.validators import normalize_phone
from registry.choices import Gender
from registry.validators import (
    gender_from_nik,
    normalize_nib,
    normalize_nik,
    normalize_npwp,
    normalize_postal_code,
    normalize_rt_rw,
    validate_year_established,
)


@st.composite
def valid_niks(draw):
    province = draw(st.integers(11, 99))
    kabkota = draw(st.integers(1, 99))
    kecamatan = draw(st.integers(1, 99))
    female = draw(st.booleans())
    day = draw(st.integers(1, 31)) + (40 if female else 0)
    month = draw(st.integers(1, 12))
    year = draw(st.integers(0, 99))
    sequence = draw(st.integers(1, 9999))
    return f"{province:02d}{kabkota:02d}{kecamatan:02d}{day:02d}{month:02d}{year:02d}{sequence:04d}"


@given(valid_niks())
def test_nik_valid_round_trips(nik):
    assert normalize_nik(nik) == nik


@given(valid_niks(), st.sampled_from([" ", ".", "-"]))
def test_nik_separators_are_removed(nik, sep):
    spaced = sep.join([nik[:6], nik[6:12], nik[12:]])
    assert normalize_nik(spaced) == nik


@given(valid_niks())
def test_nik_gender_follows_the_day(nik):
    expected = Gender.FEMALE if int(nik[6:8]) > 40 else Gender.MALE
    assert gender_from_nik(nik) == expected


@given(valid_niks(), st.sampled_from([0, 32, 40, 72, 99]))
def test_nik_with_impossible_day_is_refused(nik, day):
    bad = nik[:6] + f"{day:02d}" + nik[8:]
    with pytest.raises(ValidationError) as exc:
        normalize_nik(bad)
    assert exc.value.code == "nik_day"


@given(valid_niks(), st.sampled_from([0, 13, 20, 99]))
def test_nik_with_impossible_month_is_refused(nik, month):
    bad = nik[:8] + f"{month:02d}" + nik[10:]
    with pytest.raises(ValidationError) as exc:
        normalize_nik(bad)
    assert exc.value.code == "nik_month"


@given(st.text(alphabet="0123456789", min_size=0, max_size=30).filter(lambda s: len(s) != 16))
def test_nik_of_wrong_length_is_refused(value):
    with pytest.raises(ValidationError) as exc:
        normalize_nik(value)
    assert exc.value.code == "nik_length"


def test_nik_region_prefix_need_not_be_malang():
    assert normalize_nik("1271014506900003") == "1271014506900003"  # Medan


def test_nik_message_names_the_field():
    with pytest.raises(ValidationError) as exc:
        normalize_nik("123")
    assert "NIK" in exc.value.messages[0]


@st.composite
def national_numbers(draw):
    second = draw(st.integers(1, 9))
    rest = draw(st.text(alphabet="0123456789", min_size=7, max_size=10))
    return f"8{second}{rest}"


@given(national_numbers(), st.sampled_from(["0", "62", "+62"]))
def test_phone_forms_normalise_to_e164(national, prefix):
    assert normalize_phone(prefix + national) == "+62" + national


@given(national_numbers())
def test_phone_normalisation_is_idempotent(national):
    once = normalize_phone("0" + national)
    assert normalize_phone(once) == once


@pytest.mark.parametrize(
    "value", ["0212345678", "+6581234567", "081", "abc", "", "0812345678901234"]
)
def test_phone_invalid_is_refused(value):
    with pytest.raises(ValidationError):
        normalize_phone(value)


def test_nib_is_13_digits():
    assert normalize_nib("9120 0012 3456 7") == "9120001234567"
    with pytest.raises(ValidationError):
        normalize_nib("912000123456")


def test_npwp_legacy_15_digits_get_a_leading_zero():
    assert normalize_npwp("01.234.567.8-901.000") == "0012345678901000"
    assert normalize_npwp("3573051204850001") == "3573051204850001"
    with pytest.raises(ValidationError):
        normalize_npwp("12345")


@pytest.mark.parametrize(
    "value, expected", [("3/5", "003/005"), ("RT 01 RW 02", "001/002"), ("001/012", "001/012")]
)
def test_rt_rw_normalised(value, expected):
    assert normalize_rt_rw(value) == expected


@pytest.mark.parametrize("value", ["3", "0/5", "1234/1", "RT"])
def test_rt_rw_invalid(value):
    with pytest.raises(ValidationError):
        normalize_rt_rw(value)


@pytest.mark.parametrize("value", ["65145", "65111"])
def test_postal_code_valid(value):
    assert normalize_postal_code(value) == value


@pytest.mark.parametrize("value", ["6514", "06514", "651450", "abcde"])
def test_postal_code_invalid(value):
    with pytest.raises(ValidationError):
        normalize_postal_code(value)


def test_year_in_the_future_is_refused():
    today = datetime.date(2026, 11, 29)
    validate_year_established(2026, today=today)
    with pytest.raises(ValidationError) as exc:
        validate_year_established(2027, today=today)
    assert exc.value.code == "year_future"


# --- Any input (issue 8): a stored form or a ValidationError, never another exception --------

anything = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.text(alphabet="0123456789 .-/+()", max_size=24),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.binary(max_size=20),
)
FORMATS = [
    (normalize_nik, r"\d{16}"),
    (normalize_nib, r"\d{13}"),
    (normalize_npwp, r"\d{16}"),
    (normalize_phone, r"\+628[1-9]\d{7,10}"),
    (normalize_postal_code, r"[1-9]\d{4}"),
    (normalize_rt_rw, r"\d{3}/\d{3}"),
]


@pytest.mark.parametrize(("normalize", "pattern"), FORMATS, ids=[f.__name__ for f, _ in FORMATS])
@given(value=anything)
def test_any_input_gives_the_stored_form_or_a_validation_error(normalize, pattern, value):
    import re

    try:
        stored = normalize(value)
    except ValidationError as exc:
        assert exc.messages and all(exc.messages)
        return
    assert re.fullmatch(pattern, stored)
    assert normalize(stored) == stored  # idempotent: stored values pass again unchanged


@given(value=anything)
def test_any_accepted_nik_has_a_valid_date_and_gender(value):
    try:
        nik = normalize_nik(value)
    except ValidationError:
        return
    day, month = int(nik[6:8]), int(nik[8:10])
    assert 1 <= day <= 31 or 41 <= day <= 71
    assert 1 <= month <= 12
    assert nik[12:] != "0000"
    assert gender_from_nik(nik) in {Gender.MALE, Gender.FEMALE}


@given(nik=valid_niks(), junk=st.text(alphabet=" .-/", max_size=3))
def test_nik_separators_anywhere_are_ignored(nik, junk):
    spaced = junk.join([nik[:6], nik[6:12], nik[12:]])
    assert normalize_nik(spaced) == nik


@given(year=st.integers(min_value=-(10**6), max_value=10**6))
def test_any_year_is_accepted_or_refused_with_a_message(year):
    today = datetime.date(2026, 11, 29)
    try:
        validate_year_established(year, today=today)
    except ValidationError:
        assert year > 2026 or year < 1900
    else:
        assert 1900 <= year <= 2026


@given(
    code=st.text(alphabet="0123456789", min_size=2, max_size=5),
    level=st.sampled_from(["section", "division", "group", "subgroup", "class"]),
)
def test_kbli_for_products_is_a_class_of_section_c(code, level):
    from registry.models import Kbli
    from registry.validators import validate_kbli_for_product

    kbli = Kbli(version="2020", code=code, level=level, title_id="x")
    try:
        validate_kbli_for_product(kbli)
    except ValidationError:
        assert level != "class" or not 10 <= int(code[:2]) <= 33
    else:
        assert level == "class" and 10 <= int(code[:2]) <= 33
