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
