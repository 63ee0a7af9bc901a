"""Derived fields of a business, recomputed on every write (no database queries)."""

import re
import unicodedata

from ..classification import size_class, umkm_class

# Words that say what kind of entity a business is rather than what it is called.
_LEGAL_WORDS = {
    "ud",
    "cv",
    "pt",
    "tbk",
    "koperasi",
    "kop",
    "usaha",
    "dagang",
    "industri",
    "ikm",
    "umkm",
    "home",
    "rumah",
    "produksi",
    "toko",
    "pd",
    "persero",
}


def name_key(name: str) -> str:
    """A comparable form of a business name: lower case, ASCII letters and digits, single
    spaces, legal-form words dropped ("UD. Keripik  Tempe Sanan" → "keripik tempe sanan")."""
    text = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", text.lower())
    kept = [w for w in words if w not in _LEGAL_WORDS]
    return " ".join(kept or words)[:200]


DERIVED_FIELDS = (
    "name_key",
    "kecamatan_id",
    "workers_total",
    "size_class",
    "size_class_rule",
    "umkm_class",
    "umkm_class_rule",
)


def enterprise_derive(enterprise) -> list[str]:
    """Recompute the derived fields in place; returns the names of those that changed.

    The kecamatan is the parent of the kelurahan: the caller has the kelurahan row at hand
    (select_related or just chosen), so this reads no database."""
    before = {f: getattr(enterprise, f) for f in DERIVED_FIELDS}
    enterprise.name_key = name_key(enterprise.name)
    kelurahan = enterprise.kelurahan if enterprise.kelurahan_id else None
    enterprise.kecamatan_id = kelurahan.parent_id if kelurahan is not None else None
    enterprise.workers_total = (
        (enterprise.workers_male or 0)
        + (enterprise.workers_female or 0)
        + (enterprise.workers_unspecified or 0)
    )
    size = size_class(workers=enterprise.workers_total, investment_idr=enterprise.investment_idr)
    enterprise.size_class, enterprise.size_class_rule = size.value, size.rule
    umkm = umkm_class(
        modal_usaha_idr=enterprise.modal_usaha_idr,
        annual_turnover_idr=enterprise.annual_turnover_idr,
    )
    enterprise.umkm_class, enterprise.umkm_class_rule = umkm.value, umkm.rule
    changed = [f for f in DERIVED_FIELDS if getattr(enterprise, f) != before[f]]
    return [f.removesuffix("_id") if f == "kecamatan_id" else f for f in changed]
