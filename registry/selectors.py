"""Reading the registry. Every query starts from ``permissions.enterprises_visible_to``."""

from django.apps import apps
from django.db import connections
from django.db.models import Count, Prefetch, Q, Sum
from django.shortcuts import get_object_or_404

from ikm_portal.core.pagination import Count as CountResult
from ikm_portal.core.pagination import cheap_count
from ikm_portal.core.selectors import activity_for

from .choices import (
    ChangeRequestStatus,
    ClaimStatus,
    DuplicateFlagStatus,
    EnterpriseStatus,
    RegionLevel,
)
from .models import (
    ChangeRequest,
    DuplicateFlag,
    Enterprise,
    EnterpriseClaim,
    EnterpriseTally,
    FieldChange,
    Product,
    Region,
    mask_nik,
)
from .permissions import enterprises_visible_to, sees_full_nik, sees_whole_register


def enterprise_list(*, user):
    """The businesses this user may see, with what a list row shows (constant query count)."""
    return (
        enterprises_visible_to(user)
        .select_related("kelurahan", "kecamatan", "sentra")
        .prefetch_related(
            Prefetch("products", queryset=Product.objects.select_related("kbli")),
            "certifications",
        )
    )


# The columns of a list row (the API's contract fields, docs/registry.md), read with .values().
LIST_COLUMNS = (
    "id",
    "status",
    "status_reason",
    "owner_id",
    "source",
    "owner_name",
    "owner_nik",
    "owner_gender",
    "phone",
    "email",
    "name",
    "brand",
    "nib",
    "npwp",
    "legal_form",
    "year_established",
    "sentra_id",
    "address",
    "rt_rw",
    "kelurahan_id",
    "kecamatan_id",
    "postal_code",
    "latitude",
    "longitude",
    "workers_male",
    "workers_female",
    "workers_unspecified",
    "workers_total",
    "investment_idr",
    "land_building_idr",
    "annual_turnover_idr",
    "modal_usaha_idr",
    "size_class",
    "size_class_rule",
    "umkm_class",
    "umkm_class_rule",
    "consent_version",
    "consent_at",
    "submitted_at",
    "verified_at",
    "created_at",
    "updated_at",
)

_PRODUCT_FIELDS = (
    ("kbli_code", "p.kbli_code"),
    ("kbli_version", "p.kbli_version"),
    # A scalar subquery by primary key: a join would be planned as a hash of the whole KBLI
    # table for every business of the page.
    ("kbli_title", "(SELECT k.title_id FROM registry_kbli k WHERE k.id = p.kbli_id)"),
    ("name", "p.name"),
    ("capacity_per_year", None),  # text with two decimals, as the API writes it
    ("capacity_unit", "p.capacity_unit"),
    ("raw_materials", "p.raw_materials"),
    ("marketing_reach", "p.marketing_reach"),
)
_CERT_FIELDS = (("kind", "c.kind"), ("number", "c.number"), ("expires_on", None))


def _json_rows_sql(vendor: str, table: str) -> tuple[str, str]:
    """Correlated subqueries that return a business's products and certifications as one JSON
    array each, so a list page is one query whatever its size (no prefetch queries)."""
    enterprise = f"{table}.id"
    if vendor == "postgresql":
        capacity = "p.capacity_per_year::text"
        expires = "to_char(c.expires_on, 'YYYY-MM-DD')"
        obj, agg, empty = "JSONB_BUILD_OBJECT", "JSONB_AGG", "'[]'::jsonb"
    else:
        capacity = "PRINTF('%%.2f', p.capacity_per_year)"
        expires = "c.expires_on"
        obj, agg, empty = "JSON_OBJECT", None, "'[]'"

    def pairs(fields, special):
        return ", ".join(f"'{name}', {expr or special}" for name, expr in fields)

    product_obj = f"{obj}({pairs(_PRODUCT_FIELDS, f'CASE WHEN p.capacity_per_year IS NULL THEN NULL ELSE {capacity} END')})"
    cert_obj = f"{obj}({pairs(_CERT_FIELDS, expires)})"
    product_from = f"FROM registry_product p WHERE p.enterprise_id = {enterprise}"
    cert_from = f"FROM registry_certification c WHERE c.enterprise_id = {enterprise}"
    if agg:
        products = f"SELECT COALESCE({agg}({product_obj} ORDER BY p.position, p.id), {empty}) {product_from}"
        certs = f"SELECT COALESCE({agg}({cert_obj} ORDER BY c.kind, c.id), {empty}) {cert_from}"
    else:  # SQLite: aggregate an ordered subquery; JSON() keeps the objects objects
        products = (
            f"SELECT COALESCE(JSON_GROUP_ARRAY(JSON(o)), {empty}) FROM "  # noqa: S608 (constants)
            f"(SELECT {product_obj} AS o {product_from} ORDER BY p.position, p.id)"
        )
        certs = (
            f"SELECT COALESCE(JSON_GROUP_ARRAY(JSON(o)), {empty}) FROM "  # noqa: S608 (constants)
            f"(SELECT {cert_obj} AS o {cert_from} ORDER BY c.kind, c.id)"
        )
    return products, certs


def enterprise_rows(queryset):
    """A (filtered, ordered) queryset of businesses as plain dicts of ``LIST_COLUMNS`` plus
    ``products_json`` and ``certifications_json``: one query, no model instances. The API list
    renders them with ``api.serializers.enterprise_list_data``."""
    from django.db import connections
    from django.db.models import JSONField
    from django.db.models.expressions import RawSQL

    products, certs = _json_rows_sql(connections[queryset.db].vendor, Enterprise._meta.db_table)
    return queryset.values(*LIST_COLUMNS).annotate(
        # SQL built from constants above, no user input.
        products_json=RawSQL(products, [], output_field=JSONField()),  # noqa: S611
        certifications_json=RawSQL(certs, [], output_field=JSONField()),  # noqa: S611
    )


_PAGE_SQL: str | None = None


def _page_sql() -> str:
    """The page's rows by id, in the order of the ids (PostgreSQL), built once: compiling the
    ORM's 46-column query cost as much as running it."""
    global _PAGE_SQL
    if _PAGE_SQL is None:
        table = Enterprise._meta.db_table
        columns = ", ".join(
            f'{table}."{Enterprise._meta.get_field(name).column}"' for name in LIST_COLUMNS
        )
        products, certs = _json_rows_sql("postgresql", table)
        _PAGE_SQL = (
            f"SELECT {columns}, ({products}), ({certs})"  # noqa: S608 - constants only
            " FROM unnest(ARRAY({ids})) WITH ORDINALITY AS page(id, ord)"
            f" JOIN {table} ON {table}.id = page.id ORDER BY page.ord"
        )
    return _PAGE_SQL


def enterprise_page_rows(window) -> list[dict]:
    """The rows of ``enterprise_rows`` for a sliced (filtered, ordered) queryset of businesses.
    On PostgreSQL the ORM compiles only the ids of the page; the columns come from one SQL built
    once, with the products and certifications left as the JSON text the database wrote
    (``orjson.Fragment``, for ``core.renderers.FastJSONRenderer``). Elsewhere, the ORM path."""
    from django.core.exceptions import EmptyResultSet
    from django.db import connections

    connection = connections[window.db]
    if connection.vendor != "postgresql":
        return list(enterprise_rows(window))
    import orjson

    try:
        ids_sql, params = window.values_list("pk", flat=True).query.sql_with_params()
    except EmptyResultSet:  # .none(), or a filter that can match nothing
        return []
    nik = Enterprise._meta.get_field("owner_nik")
    keys = (*LIST_COLUMNS, "products_json", "certifications_json")
    with connection.cursor() as cursor:
        cursor.execute(_page_sql().replace("{ids}", ids_sql), params)
        rows = [dict(zip(keys, row, strict=True)) for row in cursor.fetchall()]
    for row in rows:
        row["owner_nik"] = nik.from_db_value(row["owner_nik"], None, connection)
        row["products_json"] = orjson.Fragment(row["products_json"])
        row["certifications_json"] = orjson.Fragment(row["certifications_json"])
    return rows


# Relevance is ranked among this many of the newest matches: ranking every match of a word in
# 10% of a million names reads 100,000 rows (over a second); the newest 2,000 are found by
# walking the primary key (docs/performance.md).
RELEVANCE_WINDOW = 2000


def relevance_window(queryset, *, size: int = RELEVANCE_WINDOW):
    """The matches of a search, limited to the newest ``size`` for ranking; count the full
    ``queryset``. A search with fewer matches is ranked whole."""
    from django.db.models import Subquery

    newest = queryset.order_by("-pk").values("pk")[:size]
    return queryset.filter(pk__in=Subquery(newest))


def enterprise_get(*, user, pk, for_update_page: bool = False) -> Enterprise:
    qs = enterprises_visible_to(user).select_related(
        "kelurahan", "kecamatan", "sentra", "owner", "verified_by", "merged_into"
    )
    return get_object_or_404(
        qs.prefetch_related(
            Prefetch("products", queryset=Product.objects.select_related("kbli")),
            "certifications",
        ),
        pk=pk,
    )


def enterprise_queue(*, user):
    """Submitted businesses, oldest first, with their count of open duplicate flags."""
    return (
        enterprise_list(user=user)
        .filter(status=EnterpriseStatus.SUBMITTED)
        .annotate(
            open_flags=Count(
                "duplicate_flags_low",
                filter=Q(duplicate_flags_low__status=DuplicateFlagStatus.OPEN),
                distinct=True,
            )
            + Count(
                "duplicate_flags_high",
                filter=Q(duplicate_flags_high__status=DuplicateFlagStatus.OPEN),
                distinct=True,
            )
        )
        .order_by("submitted_at", "id")
    )


def _tally(*, kecamatan=None, statuses=(), size_classes=()):
    rows = EnterpriseTally.objects.all()
    if kecamatan:
        rows = rows.filter(kecamatan_id=kecamatan)
    if statuses:
        rows = rows.filter(status__in=statuses)
    if size_classes:
        rows = rows.filter(size_class__in=size_classes)
    return rows


def _use_tally(user, tally) -> bool:
    # The triggers that keep the tally exist on PostgreSQL only (migration 0007).
    return (
        tally is not None
        and sees_whole_register(user)
        and connections[EnterpriseTally.objects.db].vendor == "postgresql"
    )


def enterprise_count(*, user, queryset, tally: dict | None = None) -> CountResult:
    """The count of a list: exact from the maintained tally (models/tally.py) when the user sees
    the whole register and ``tally`` (``filtersets.tally_filters``) says the filters are only
    kecamatan, status and size class; else ``cheap_count`` of ``queryset``."""
    if _use_tally(user, tally):
        return CountResult(_tally_sum(**tally))
    return cheap_count(queryset)


def _tally_sum(*, kecamatan=None, statuses=(), size_classes=()) -> int:
    # Plain SQL: on the list's hot path compiling the ORM's aggregate cost more than running it.
    where, params = ["TRUE"], []
    if kecamatan:
        where.append("kecamatan_id = %s")
        params.append(kecamatan)
    if statuses:
        where.append("status = ANY(%s)")
        params.append(list(statuses))
    if size_classes:
        where.append("size_class = ANY(%s)")
        params.append(list(size_classes))
    with connections[EnterpriseTally.objects.db].cursor() as cursor:
        cursor.execute(
            f"SELECT coalesce(sum(n), 0) FROM {EnterpriseTally._meta.db_table}"  # noqa: S608
            f" WHERE {' AND '.join(where)}",
            params,
        )
        return int(cursor.fetchone()[0])


def status_counts(queryset, *, user=None, tally: dict | None = None) -> dict[str, int]:
    """{status: count} of a (filtered) queryset, every status present, plus "total" and
    "estimated" (the keys whose count is PostgreSQL's estimate: above 1,000 rows for a tab, as
    an exact count of a million-row register costs more than the page). With ``tally`` (see
    ``enterprise_count``) every count is exact, from one query."""
    counts: dict = {}
    estimated = set()
    if _use_tally(user, tally):
        rows = _tally(**{**tally, "statuses": ()}).values("status").annotate(total=Sum("n"))
        found = {row["status"]: row["total"] for row in rows.order_by()}
        for status in EnterpriseStatus.values:
            counts[status] = found.get(status) or 0
        counts["total"] = sum(counts[s] for s in EnterpriseStatus.values)
        counts["estimated"] = estimated
        return counts
    for status in EnterpriseStatus.values:
        # Tabs may say "≈" sooner than the page's own count: six of them per page view.
        count = cheap_count(queryset.filter(status=status), exact_limit=1000)
        counts[status] = count.value
        if count.estimated:
            estimated.add(status)
    counts["total"] = sum(counts[s] for s in EnterpriseStatus.values)
    if estimated:
        estimated.add("total")
    counts["estimated"] = estimated
    return counts


def owner_enterprises(*, user):
    return (
        enterprises_visible_to(user)
        .filter(owner=user)
        .select_related("kelurahan", "kecamatan")
        .order_by("-updated_at", "-id")
    )


def history_for(*, enterprise: Enterprise, user):
    """Field changes, newest first. NIK values are stored masked (rows written before the
    encryption migration are masked here for everyone but the owner)."""
    rows = list(FieldChange.objects.filter(enterprise=enterprise).select_related("actor")[:500])
    if not sees_full_nik(user, enterprise):
        for row in rows:
            if row.field == "owner_nik":
                row.old_value, row.new_value = mask_nik(row.old_value), mask_nik(row.new_value)
    return rows


def decisions_for(*, enterprise: Enterprise):
    """Status changes with who, when, from, to and why (the activity log)."""
    return activity_for(target=enterprise)


def duplicates_for(*, enterprise: Enterprise, include_resolved: bool = True) -> list[dict]:
    """[{flag, other}] — the possible duplicates of a business, open ones first."""
    qs = DuplicateFlag.objects.filter(Q(enterprise=enterprise) | Q(other=enterprise))
    if not include_resolved:
        qs = qs.filter(status=DuplicateFlagStatus.OPEN)
    qs = qs.select_related(
        "enterprise__kelurahan", "other__kelurahan", "enterprise__sentra", "other__sentra"
    ).order_by("status", "-score", "id")
    result = []
    for flag in qs:
        other = flag.other if flag.enterprise_id == enterprise.pk else flag.enterprise
        result.append({"flag": flag, "other": other})
    return sorted(result, key=lambda r: r["flag"].status != DuplicateFlagStatus.OPEN)


def kecamatan_choices(region_code: str) -> list[tuple[str, str]]:
    return list(
        Region.objects.filter(level=RegionLevel.KECAMATAN, parent_id=region_code)
        .order_by("name")
        .values_list("code", "name")
    )


def kelurahan_choices(kecamatan_code: str | None) -> list[tuple[str, str]]:
    if not kecamatan_code:
        return []
    return list(
        Region.objects.filter(
            parent_id=kecamatan_code, level__in=[RegionLevel.KELURAHAN, RegionLevel.DESA]
        )
        .order_by("name")
        .values_list("code", "name")
    )


def pending_change_requests():
    return (
        ChangeRequest.objects.filter(status=ChangeRequestStatus.PENDING)
        .select_related("enterprise", "requested_by")
        .order_by("created_at", "id")
    )


def pending_claims():
    return (
        EnterpriseClaim.objects.filter(status=ClaimStatus.PENDING)
        .select_related("enterprise", "user", "enterprise__kelurahan")
        .order_by("created_at", "id")
    )


def open_duplicate_flags():
    return (
        DuplicateFlag.objects.filter(status=DuplicateFlagStatus.OPEN)
        .select_related("enterprise__kelurahan", "other__kelurahan")
        .order_by("-score", "-created_at")
    )


def waiting_counts() -> dict[str, int]:
    """What waits for the office: used by the dashboard panel and the staff digest."""
    return {
        "submitted": Enterprise.objects.filter(status=EnterpriseStatus.SUBMITTED).count(),
        "change_requests": ChangeRequest.objects.filter(status=ChangeRequestStatus.PENDING).count(),
        "claims": EnterpriseClaim.objects.filter(status=ClaimStatus.PENDING).count(),
        "duplicates": DuplicateFlag.objects.filter(status=DuplicateFlagStatus.OPEN).count(),
    }


def enterprise_panels(*, enterprise: Enterprise, request) -> list:
    """Cards other apps add to a business's detail page (e.g. the programmes it applied to).

    An AppConfig may define ``enterprise_panels(enterprise, request) -> list[Panel]``
    (ikm_portal.core.extensions.Panel); the registry imports no other domain app."""
    panels = []
    for config in apps.get_app_configs():
        hook = getattr(config, "enterprise_panels", None)
        if callable(hook) and config.name != "registry":
            panels.extend(hook(enterprise, request))
    return sorted(panels, key=lambda p: p.order)
