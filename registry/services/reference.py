"""Loading reference data: Kemendagri regions, postal codes and KBLI (idempotent upserts)."""

import csv
from pathlib import Path

from django.db import transaction

from ..choices import KBLI_LEVEL_BY_LENGTH, KbliLevel, RegionLevel
from ..models import Kbli, Region

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
BUNDLED_REGIONS = {
    "malang": DATA_DIR / "malang_wilayah.csv",
    "jatim": DATA_DIR / "jatim_wilayah.csv",
}
BUNDLED_POSTAL_CODES = DATA_DIR / "malang_kodepos.csv"
BUNDLED_KBLI = DATA_DIR / "kbli2020_c.csv"


class ReferenceFileError(Exception):
    pass


def _read(path, required: set[str]) -> list[dict]:
    path = Path(path)
    if not path.exists():
        raise ReferenceFileError(f"{path}: no such file")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = required - set(reader.fieldnames or [])
        if missing:
            raise ReferenceFileError(f"{path}: missing columns {', '.join(sorted(missing))}")
        return list(reader)


@transaction.atomic
def regions_load(path) -> dict[str, int]:
    """Upsert regions from a CSV with columns kode,nama,tingkat,parent_kode. A parent that is
    neither in the file nor in the database is left empty (e.g. the province when only one
    city is loaded); loading the wider file later fills it in."""
    rows = _read(path, {"kode", "nama", "tingkat", "parent_kode"})
    levels = set(RegionLevel.values)
    for row in rows:
        if row["tingkat"] not in levels:
            raise ReferenceFileError(f"unknown level {row['tingkat']!r} for {row['kode']}")
    rows.sort(key=lambda r: (len(r["kode"]), r["kode"]))
    existing = {r.code: r for r in Region.objects.all()}
    known = set(existing) | {r["kode"] for r in rows}
    created, updated = [], []
    for row in rows:
        code, parent = row["kode"].strip(), (row["parent_kode"] or "").strip() or None
        parent = parent if parent in known else None
        values = {"name": row["nama"].strip(), "level": row["tingkat"], "parent_id": parent}
        region = existing.get(code)
        if region is None:
            region = Region(code=code, **values)
            created.append(region)
            existing[code] = region
        elif any(getattr(region, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(region, k, v)
            updated.append(region)
    # Parents first: the file is sorted by code length.
    for level_len in sorted({len(r.code) for r in created}):
        Region.objects.bulk_create([r for r in created if len(r.code) == level_len], 2000)
    Region.objects.bulk_update(updated, ["name", "level", "parent_id"], batch_size=2000)
    counts = {"created": len(created), "updated": len(updated), "total": len(rows)}
    for level in RegionLevel.values:
        counts[level] = sum(1 for r in rows if r["tingkat"] == level)
    return counts


@transaction.atomic
def postal_codes_load(path) -> dict[str, int]:
    """Set the indicative postal code of kelurahan from a CSV with columns kode,kodepos."""
    rows = _read(path, {"kode", "kodepos"})
    regions = Region.objects.in_bulk([r["kode"] for r in rows])
    changed = []
    for row in rows:
        region = regions.get(row["kode"])
        if region is not None and region.postal_code != row["kodepos"].strip():
            region.postal_code = row["kodepos"].strip()
            changed.append(region)
    Region.objects.bulk_update(changed, ["postal_code"])
    return {"updated": len(changed), "total": len(rows), "unknown": len(rows) - len(regions)}


def kbli_level(code: str) -> str:
    if code.isalpha():
        return KbliLevel.SECTION
    level = KBLI_LEVEL_BY_LENGTH.get(len(code))
    if level is None:
        raise ReferenceFileError(f"KBLI code {code!r} has no level")
    return level


@transaction.atomic
def kbli_load(path, *, version: str = "2020") -> dict[str, int]:
    """Upsert KBLI codes of one version from a CSV with columns code,title_id,title_en."""
    rows = _read(path, {"code", "title_id"})
    existing = {k.code: k for k in Kbli.objects.filter(version=version)}
    created, updated = [], []
    for row in rows:
        code = row["code"].strip()
        values = {
            "title_id": row["title_id"].strip(),
            "title_en": (row.get("title_en") or "").strip(),
            "level": kbli_level(code),
        }
        kbli = existing.get(code)
        if kbli is None:
            created.append(Kbli(code=code, version=version, **values))
        elif any(getattr(kbli, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(kbli, k, v)
            updated.append(kbli)
    Kbli.objects.bulk_create(created, batch_size=2000)
    Kbli.objects.bulk_update(updated, ["title_id", "title_en", "level"], batch_size=2000)
    counts = {"created": len(created), "updated": len(updated), "total": len(rows)}
    for level in KbliLevel.values:
        counts[level] = sum(1 for r in rows if kbli_level(r["code"].strip()) == level)
    return counts
