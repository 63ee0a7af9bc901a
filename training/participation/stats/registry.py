"""Figures of the register of IKM businesses for the office dashboard and the public statistics
page. Reads the registry's models only (training stands on registry; it never writes there).

The public version holds aggregates only, never a person or a single business: every count
under SMALL_CELL (5) is suppressed, and when a table would have exactly one suppressed cell the
next smallest is suppressed too, so a total cannot give the hidden one away."""

from collections import OrderedDict
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from statistics import median

from django.conf import settings
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext

from registry.choices import EnterpriseStatus, KbliLevel, RegionLevel, SizeClass
from registry.models import Enterprise, Kbli, Product, Region
from training.choices import ProgramStatus
from training.models import Program

from ..choices import SMALL_CELL, ParticipantStatus
from ..models import Participant

REGISTERED = [
    EnterpriseStatus.SUBMITTED,
    EnterpriseStatus.NEEDS_REVISION,
    EnterpriseStatus.VERIFIED,
]
MONTHS = 12


def _main_division():
    first = Product.objects.filter(enterprise=OuterRef("pk")).order_by("position", "id")
    return Subquery(first.values("kbli_code")[:1])


def suppress(rows: list[dict], keys: list[str], threshold: int = SMALL_CELL) -> list[dict]:
    """Replace counts under the threshold by None (with `suppressed: true`), per column; when a
    column has exactly one suppressed cell, suppress its next smallest cell too."""
    rows = [dict(r) for r in rows]
    for row in rows:
        row.setdefault("suppressed", [])
    for key in keys:
        small = [r for r in rows if r[key] is not None and 0 < r[key] < threshold]
        for r in small:
            r[key] = None
            r["suppressed"].append(key)
        if len(small) == 1:
            rest = sorted((r for r in rows if r[key]), key=lambda r: r[key])
            if rest:
                rest[0][key] = None
                rest[0]["suppressed"].append(key)
    return rows


def _suppress_total(value: int) -> int | None:
    return value if value == 0 or value >= SMALL_CELL else None


def _kecamatan_names() -> "OrderedDict[str, str]":
    return OrderedDict(
        Region.objects.filter(
            level=RegionLevel.KECAMATAN, code__startswith=settings.REGION_CODE + "."
        )
        .order_by("name")
        .values_list("code", "name")
    )


def _division_titles() -> dict[str, str]:
    from django.utils.translation import get_language

    english = (get_language() or "id").startswith("en")
    titles = {}
    for code, _version, title_id, title_en in (
        Kbli.objects.filter(level=KbliLevel.DIVISION)
        .values_list("code", "version", "title_id", "title_en")
        .order_by("version")
    ):
        titles[code] = (title_en if english and title_en else title_id) or code
    return titles


def registry_stats(*, public: bool, now=None) -> dict:
    now = now or timezone.now()
    registered = Enterprise.objects.filter(status__in=REGISTERED)
    verified = Enterprise.objects.filter(status=EnterpriseStatus.VERIFIED)
    base = verified if public else registered

    kecamatan = _kecamatan_names()
    by_kec = {
        row["kecamatan_id"]: row
        for row in base.values("kecamatan_id").annotate(
            registered=Count("pk"),
            verified=Count("pk", filter=Q(status=EnterpriseStatus.VERIFIED)),
        )
    }
    kec_rows = [
        {
            "code": code,
            "name": name,
            "registered": by_kec.get(code, {}).get("registered", 0),
            "verified": by_kec.get(code, {}).get("verified", 0),
        }
        for code, name in kecamatan.items()
    ]
    outside = sum(r["registered"] for k, r in by_kec.items() if k not in kecamatan)
    if outside:
        kec_rows.append(
            {
                "code": "",
                "name": gettext("Not recorded or elsewhere"),
                "registered": outside,
                "verified": sum(r["verified"] for k, r in by_kec.items() if k not in kecamatan),
            }
        )

    titles = _division_titles()
    divisions: dict[str, dict] = {}
    for row in (
        base.annotate(main_kbli=_main_division())
        .values("main_kbli", "status")
        .annotate(n=Count("pk"))
    ):
        code = (row["main_kbli"] or "")[:2]
        entry = divisions.setdefault(
            code,
            {
                "division": code,
                "title": titles.get(code, "") if code else gettext("No product recorded"),
                "registered": 0,
                "verified": 0,
            },
        )
        entry["registered"] += row["n"]
        if row["status"] == EnterpriseStatus.VERIFIED:
            entry["verified"] += row["n"]
    division_rows = sorted(divisions.values(), key=lambda r: (r["division"] == "", r["division"]))

    sizes = dict(
        base.values_list("size_class").annotate(n=Count("pk")).values_list("size_class", "n")
    )
    size_rows = [
        {"size_class": value, "label": str(label), "count": sizes.get(value, 0)}
        for value, label in SizeClass.choices
    ]
    if sizes.get(""):
        size_rows.append(
            {"size_class": "", "label": gettext("Not classified"), "count": sizes.get("", 0)}
        )

    programs = Program.objects.filter(status__in=[ProgramStatus.RUNNING, ProgramStatus.COMPLETED])
    participants = Participant.objects.filter(program__in=programs)
    program_block = {
        "run": programs.count(),
        "completed_programs": programs.filter(status=ProgramStatus.COMPLETED).count(),
        "participants": participants.values("enterprise_id").distinct().count(),
        "completed": participants.filter(status=ParticipantStatus.COMPLETED)
        .values("enterprise_id")
        .distinct()
        .count(),
    }

    if public:
        return {
            "public": True,
            "small_cell": SMALL_CELL,
            "generated_at": now,
            "totals": {"verified": _suppress_total(verified.count())},
            "by_kecamatan": [
                {k: v for k, v in r.items() if k != "registered"}
                for r in suppress(
                    [
                        {
                            "code": r["code"],
                            "name": r["name"],
                            "verified": r["verified"],
                            "registered": 0,
                        }
                        for r in kec_rows
                    ],
                    ["verified"],
                )
            ],
            "by_kbli_division": [
                {k: v for k, v in r.items() if k != "registered"}
                for r in suppress([{**r, "registered": 0} for r in division_rows], ["verified"])
            ],
            "by_size_class": suppress(size_rows, ["count"]),
            "programs": {
                "run": program_block["run"],
                "completed_programs": program_block["completed_programs"],
                "participants": _suppress_total(program_block["participants"]),
                "completed": _suppress_total(program_block["completed"]),
            },
        }

    local = timezone.localtime(now)
    index = local.year * 12 + local.month - 1 - (MONTHS - 1)
    start = local.replace(
        year=index // 12, month=index % 12 + 1, day=1, hour=0, minute=0, second=0, microsecond=0
    )
    months: OrderedDict[str, dict] = OrderedDict()
    for i in range(MONTHS):
        year, month = (index + i) // 12, (index + i) % 12 + 1
        label = f"{year:04d}-{month:02d}"
        months[label] = {"month": label, "registered": 0, "verified": 0}
    for field, key in (("submitted_at", "registered"), ("verified_at", "verified")):
        rows = (
            Enterprise.objects.filter(**{f"{field}__gte": start})
            .exclude(status=EnterpriseStatus.DRAFT)
            .annotate(month=TruncMonth(field))
            .values("month")
            .annotate(n=Count("pk"))
        )
        for row in rows:
            label = (
                timezone.localtime(row["month"]).strftime("%Y-%m")
                if timezone.is_aware(row["month"])
                else row["month"].strftime("%Y-%m")
            )
            if label in months:
                months[label][key] += row["n"]

    waiting = Enterprise.objects.filter(status=EnterpriseStatus.SUBMITTED)
    oldest = waiting.order_by("submitted_at").values_list("submitted_at", flat=True).first()
    durations = [
        (v - s).total_seconds() / 86400
        for s, v in Enterprise.objects.filter(
            verified_at__gte=now - timedelta(days=365), submitted_at__isnull=False
        ).values_list("submitted_at", "verified_at")
        if v and s and v >= s
    ]
    return {
        "public": False,
        "generated_at": now,
        "totals": {
            "registered": registered.count(),
            "verified": verified.count(),
            "drafts": Enterprise.objects.filter(status=EnterpriseStatus.DRAFT).count(),
        },
        "by_month": list(months.values()),
        "by_kecamatan": kec_rows,
        "by_kbli_division": division_rows,
        "by_size_class": size_rows,
        "backlog": {
            "waiting": waiting.count(),
            "needs_revision": Enterprise.objects.filter(
                status=EnterpriseStatus.NEEDS_REVISION
            ).count(),
            "oldest_waiting_days": (now - oldest).days if oldest else None,
            "median_days_to_verify": float(
                Decimal(median(durations)).quantize(Decimal("0.1"), ROUND_HALF_UP)
            )
            if durations
            else None,
            "verified_last_year": len(durations),
        },
        "programs": program_block,
    }
