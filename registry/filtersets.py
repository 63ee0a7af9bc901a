"""One FilterSet per model, shared by the HTML register and the API list."""

import contextlib
import re

import django_filters
from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    FloatField,
    OuterRef,
    Q,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _

from ikm_portal.core.filters import CachedFormFilterSet, IntegerFilter

from .choices import CertificationKind, EnterpriseStatus, KbliLevel, RegionLevel, SizeClass
from .models import Certification, Enterprise, Kbli, Product, Region, Sentra

ORDERING = (
    ("name", "name"),
    ("created_at", "created_at"),
    ("submitted_at", "submitted_at"),
    ("updated_at", "updated_at"),
    ("year_established", "year_established"),
    ("workers_total", "workers_total"),
    ("status", "status"),
)


class EnterpriseFilterSet(CachedFormFilterSet):
    # distinct=False: these filter the business's own columns (no join can repeat a row), and
    # DISTINCT would make PostgreSQL build every matching row of a page before its LIMIT.
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"), choices=EnterpriseStatus.choices, distinct=False
    )
    kecamatan = django_filters.CharFilter(
        label=_("Kecamatan"), field_name="kecamatan_id", method="filter_region"
    )
    kelurahan = django_filters.CharFilter(
        label=_("Kelurahan"), field_name="kelurahan_id", method="filter_region"
    )
    kbli = django_filters.CharFilter(
        label=_("KBLI"),
        method="filter_kbli",
        help_text=_("A KBLI code or its beginning: 10 (division), 103, 10391."),
    )
    size_class = django_filters.MultipleChoiceFilter(
        label=_("Size class"), choices=SizeClass.choices, distinct=False
    )
    sentra = django_filters.ModelChoiceFilter(
        label=_("Sentra"), queryset=Sentra.objects.all(), field_name="sentra", empty_label=_("All")
    )
    certification = django_filters.ChoiceFilter(
        label=_("Certification"),
        choices=CertificationKind.choices,
        method="filter_certification",
        empty_label=_("All"),
    )
    has_nib = django_filters.BooleanFilter(label=_("Has an NIB"), method="filter_has_nib")
    year_from = IntegerFilter(
        label=_("Founded from (year)"), field_name="year_established", lookup_expr="gte"
    )
    year_to = IntegerFilter(
        label=_("Founded until (year)"), field_name="year_established", lookup_expr="lte"
    )
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_q",
        help_text=_("Name, brand, owner's name, NIB or phone."),
    )
    ordering = django_filters.OrderingFilter(
        label=_("Sort by"),
        empty_label=_("Newest first"),
        fields=ORDERING,
        field_labels={
            "name": _("Name"),
            "created_at": _("Registered"),
            "submitted_at": _("Submitted"),
            "updated_at": _("Last changed"),
            "year_established": _("Year established"),
            "workers_total": _("Workers"),
            "status": _("Status"),
        },
    )

    class Meta:
        model = Enterprise
        fields: list[str] = []

    def filter_region(self, queryset, name, value):
        return queryset.filter(**{name: region_code(value)})

    def filter_kbli(self, queryset, name, value):
        value = value.strip().upper()
        if not value:
            return queryset
        if value == "C":
            return queryset.filter(Exists(Product.objects.filter(enterprise=OuterRef("pk"))))
        products = Product.objects.filter(enterprise=OuterRef("pk"))
        if len(value) == 5:
            products = products.filter(kbli_code=value)
        else:
            products = products.filter(kbli_code__startswith=value)
        return queryset.filter(Exists(products))

    def filter_certification(self, queryset, name, value):
        return queryset.filter(
            Exists(Certification.objects.filter(enterprise=OuterRef("pk"), kind=value))
        )

    def filter_has_nib(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.exclude(nib="") if value else queryset.filter(nib="")

    def filter_q(self, queryset, name, value):
        """Name, brand, product, owner's name — best matches first — or an exact NIB or phone.
        Never the NIK: it is searched by exact match through a POST (see views).

        PostgreSQL reads the stored ``search_vector`` (migration 0005) through its GIN index:
        every word of the query as a word prefix, ranked name > brand > product > owner. The
        column is named unqualified so that it is the table of whichever query or subquery the
        condition lands in (``selectors.relevance_window`` reuses it in a subquery).
        Elsewhere: ``icontains`` on the same fields."""
        from ikm_portal.core.validators import normalize_phone

        value = value.strip()
        if not value:
            return queryset
        exact = Q()
        digits = value.replace(" ", "").replace("-", "").replace(".", "")
        if digits.isdigit() and len(digits) == 13:
            exact |= Q(nib=digits)
        with contextlib.suppress(ValidationError):  # not a phone number: by name only
            exact |= Q(phone=normalize_phone(value))
        words = search_words(value)
        if connections[queryset.db].vendor == "postgresql" and words:
            tsquery = " & ".join(f"{w}:*" for w in words)
            matches = RawSQL(
                "search_vector @@ to_tsquery('simple', %s)",
                [tsquery],
                output_field=BooleanField(),
            )
            rank = RawSQL(
                "ts_rank(search_vector, to_tsquery('simple', %s))",
                [tsquery],
                output_field=FloatField(),
            )
            queryset = queryset.alias(search_match=matches, search_rank=rank)
            return queryset.filter(Q(search_match=True) | exact).order_by("-search_rank", "id")
        condition = (
            Q(name__icontains=value)
            | Q(brand__icontains=value)
            | Q(owner_name__icontains=value)
            | Q(product_names__icontains=value)
        )
        rank = Case(
            When(name__istartswith=value, then=Value(0)),
            When(name__icontains=value, then=Value(1)),
            When(brand__icontains=value, then=Value(2)),
            When(product_names__icontains=value, then=Value(3)),
            default=Value(4),
        )
        return (
            queryset.filter(condition | exact).alias(search_rank=rank).order_by("search_rank", "id")
        )


def region_code(value: str) -> str:
    """A region code with dots, also when written without (3573051004), as spreadsheets often
    carry it."""
    value = value.strip()
    if value.isdigit() and len(value) in (6, 10):
        value = ".".join(
            [value[:2], value[2:4], value[4:6]] + ([value[6:]] if len(value) == 10 else [])
        )
    return value


# The filters whose count the maintained tally answers (models/tally.py): the business's own
# kecamatan, status and size class. Any other filter, or a search, is counted on the table.
TALLY_FILTERS = frozenset({"kecamatan", "status", "size_class"})
IGNORED_FOR_COUNT = frozenset({"ordering"})


def tally_filters(filterset) -> dict | None:
    """{kecamatan, statuses, size_classes} of a valid filterset that only filters on the
    tally's columns; None when another filter is in use."""
    data = filterset.form.cleaned_data
    used = {k for k, v in data.items() if v not in (None, "", [], ())} - IGNORED_FOR_COUNT
    if not used <= TALLY_FILTERS:
        return None
    return {
        "kecamatan": region_code(data["kecamatan"]) if data.get("kecamatan") else None,
        "statuses": list(data.get("status") or []),
        "size_classes": list(data.get("size_class") or []),
    }


def search_words(value: str) -> list[str]:
    """The words of a search in lower case, letters and digits only (safe in a tsquery)."""
    return re.findall(r"[0-9a-z]+", value.lower())[:8]


def division_choices():
    return [
        (k.code, f"{k.code} {k.title}")
        for k in Kbli.objects.filter(level=KbliLevel.DIVISION).order_by("code")
    ]


class RegionFilterSet(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=RegionLevel.choices)
    parent = django_filters.CharFilter(field_name="parent_id")
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains")

    class Meta:
        model = Region
        fields: list[str] = []


class KbliFilterSet(django_filters.FilterSet):
    level = django_filters.CharFilter(
        method="filter_level",
        help_text=_("section, division, group, subgroup, class — or the number of digits 2–5."),
    )
    version = django_filters.CharFilter()
    q = django_filters.CharFilter(method="filter_q")

    class Meta:
        model = Kbli
        fields: list[str] = []

    def filter_level(self, queryset, name, value):
        from .choices import KBLI_LEVEL_BY_LENGTH

        value = value.strip().lower()
        if value.isdigit():
            value = KBLI_LEVEL_BY_LENGTH.get(int(value), value)
        return queryset.filter(level=value)

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        if value.isdigit():
            return queryset.filter(code__startswith=value)
        return queryset.filter(Q(title_id__icontains=value) | Q(title_en__icontains=value))
