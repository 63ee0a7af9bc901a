import pytest
from hypothesis import given
from hypothesis import strategies as st

from registry.classification import size_class, umkm_class

BN = 1_000_000_000


@pytest.mark.parametrize(
    "workers, investment, expected",
    [
        (19, 999_999_999, "kecil"),
        (19, 1 * BN, "menengah"),
        (20, 999_999_999, "menengah"),
        (20, 1 * BN, "menengah"),
        (20, 15 * BN, "menengah"),
        (20, 15 * BN + 1, "besar"),
        (19, 15 * BN + 1, "menengah"),
        (1, 0, "kecil"),
        (100, 15 * BN, "menengah"),
    ],
)
def test_size_class_boundaries(workers, investment, expected):
    assert size_class(workers=workers, investment_idr=investment).value == expected


def test_size_class_rule_names_the_regulation():
    result = size_class(workers=19, investment_idr=999_999_999)
    assert result.rule == "Permenperin 64/2016: ≤ 19 tenaga kerja dan investasi < Rp 1.000.000.000"


@pytest.mark.parametrize("workers, investment", [(0, 5), (None, 5), (3, None)])
def test_size_class_unknown_without_figures(workers, investment):
    assert size_class(workers=workers, investment_idr=investment).value == ""


@given(st.integers(1, 10_000), st.integers(0, 10**14))
def test_size_class_is_always_one_of_three(workers, investment):
    assert size_class(workers=workers, investment_idr=investment).value in {
        "kecil",
        "menengah",
        "besar",
    }


@pytest.mark.parametrize(
    "modal, turnover, expected",
    [
        (1 * BN, None, "mikro"),
        (1 * BN + 1, None, "kecil"),
        (5 * BN, None, "kecil"),
        (10 * BN, None, "menengah"),
        (10 * BN + 1, None, "besar"),
        (None, 2 * BN, "mikro"),
        (None, 2 * BN + 1, "kecil"),
        (None, 15 * BN, "kecil"),
        (None, 15 * BN + 1, "menengah"),
        (None, 50 * BN, "menengah"),
        (None, 50 * BN + 1, "besar"),
        (1 * BN, 60 * BN, "mikro"),  # modal usaha wins when given
        (None, None, ""),
    ],
)
def test_umkm_class_boundaries(modal, turnover, expected):
    assert umkm_class(modal_usaha_idr=modal, annual_turnover_idr=turnover).value == expected


def test_umkm_rule_says_the_basis():
    assert umkm_class(modal_usaha_idr=None, annual_turnover_idr=999_999_999).rule == (
        "PP 7/2021: hasil penjualan tahunan ≤ Rp 2.000.000.000"
    )
