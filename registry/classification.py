"""The legal classes of a business, as pure functions over plain numbers (no database).

- Size class of an industry, Permenperin 64/M-IND/PER/7/2016 (workers and investment excluding
  land and buildings):
    kecil     ≤ 19 workers and investment < Rp 1,000,000,000
    menengah  ≤ 19 workers and investment ≥ Rp 1,000,000,000,
              or ≥ 20 workers and investment ≤ Rp 15,000,000,000
    besar     ≥ 20 workers and investment > Rp 15,000,000,000
- UMKM class, PP 7/2021: by modal usaha (excluding land and buildings) when given —
  mikro ≤ Rp 1 bn, kecil ≤ 5 bn, menengah ≤ 10 bn, besar above — else by annual sales —
  ≤ 2 bn, ≤ 15 bn, ≤ 50 bn, above.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .choices import SizeClass, UmkmClass

MILIAR = 1_000_000_000
SMALL_MAX_WORKERS = 19
SMALL_INVESTMENT_LIMIT = 1 * MILIAR  # kecil: strictly below
MEDIUM_INVESTMENT_MAX = 15 * MILIAR  # menengah (≥ 20 workers): up to and including

UMKM_BY_CAPITAL = (
    (1 * MILIAR, UmkmClass.MIKRO),
    (5 * MILIAR, UmkmClass.KECIL),
    (10 * MILIAR, UmkmClass.MENENGAH),
)
UMKM_BY_SALES = (
    (2 * MILIAR, UmkmClass.MIKRO),
    (15 * MILIAR, UmkmClass.KECIL),
    (50 * MILIAR, UmkmClass.MENENGAH),
)


@dataclass(frozen=True)
class Classification:
    value: str  # "" when the figures are not known yet
    rule: str


def size_class(*, workers: int | None, investment_idr: int | None) -> Classification:
    if not workers or investment_idr is None:
        return Classification("", "")
    if workers <= SMALL_MAX_WORKERS:
        if investment_idr < SMALL_INVESTMENT_LIMIT:
            return Classification(
                SizeClass.KECIL,
                "Permenperin 64/2016: ≤ 19 tenaga kerja dan investasi < Rp 1.000.000.000",
            )
        return Classification(
            SizeClass.MENENGAH,
            "Permenperin 64/2016: ≤ 19 tenaga kerja dan investasi ≥ Rp 1.000.000.000",
        )
    if investment_idr <= MEDIUM_INVESTMENT_MAX:
        return Classification(
            SizeClass.MENENGAH,
            "Permenperin 64/2016: ≥ 20 tenaga kerja dan investasi ≤ Rp 15.000.000.000",
        )
    return Classification(
        SizeClass.BESAR,
        "Permenperin 64/2016: ≥ 20 tenaga kerja dan investasi > Rp 15.000.000.000",
    )


def _rupiah(n: int) -> str:
    return "Rp " + f"{n:,}".replace(",", ".")


def umkm_class(*, modal_usaha_idr: int | None, annual_turnover_idr: int | None) -> Classification:
    if modal_usaha_idr is not None:
        basis, amount, table = "modal usaha", modal_usaha_idr, UMKM_BY_CAPITAL
    elif annual_turnover_idr is not None:
        basis, amount, table = "hasil penjualan tahunan", annual_turnover_idr, UMKM_BY_SALES
    else:
        return Classification("", "")
    lower = 0
    for limit, cls in table:
        if amount <= limit:
            bound = (
                f"≤ {_rupiah(limit)}" if lower == 0 else f"> {_rupiah(lower)} s.d. {_rupiah(limit)}"
            )
            return Classification(cls, f"PP 7/2021: {basis} {bound}")
        lower = limit
    return Classification(UmkmClass.BESAR, f"PP 7/2021: {basis} > {_rupiah(lower)}")


SIZE_CLASS_HELP = _(
    "Permenperin 64/2016: small industry up to 19 workers and investment below Rp 1 billion; "
    "medium industry otherwise up to Rp 15 billion; large industry from 20 workers and above "
    "Rp 15 billion. Investment excludes land and buildings."
)
