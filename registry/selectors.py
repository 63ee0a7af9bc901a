"""Reading the registry. Every query starts from ``permissions.enterprises_visible_to``."""

from django.apps import apps
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404

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
    FieldChange,
    Product,
    Region,
    mask_nik,
)
from .permissions import enterprises_visible_to, sees_full_nik


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


def status_counts(queryset) -> dict[str, int]:
    """{status: count} of a (filtered) queryset, every status present, plus "total"."""
    counts = dict.fromkeys(EnterpriseStatus.values, 0)
    for row in queryset.order_by().values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    counts["total"] = sum(counts[s] for s in EnterpriseStatus.values)
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
