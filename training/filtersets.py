"""One FilterSet per model, shared by the HTML lists and the API."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from partnerships.models import Partner
from registry.choices import RegionLevel, SizeClass
from registry.models import Region

from .choices import ApplicationStatus, ProgramMode, ProgramStatus
from .models import Application, Program, Track, TrackChoice


@extend_schema_field(OpenApiTypes.INT)
class TrackFilter(django_filters.ModelChoiceFilter):
    """A track id; matches applications that chose the track at any preference."""


class ProgramFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"), choices=ProgramStatus.choices, widget=forms.CheckboxSelectMultiple
    )
    mode = django_filters.ChoiceFilter(label=_("Mode"), choices=ProgramMode.choices)
    partner = django_filters.ModelChoiceFilter(label=_("Partner"), queryset=Partner.objects.all())
    open_now = django_filters.BooleanFilter(
        label=_("Open for applications now"), method="filter_open_now"
    )

    class Meta:
        model = Program
        fields = ["q", "status", "mode", "partner", "open_now"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value)
            | Q(description__icontains=value)
            | Q(partner__name__icontains=value)
        )

    def filter_open_now(self, queryset, name, value):
        if value is None:
            return queryset
        now = timezone.now()
        q = Q(status=ProgramStatus.OPEN, opens_at__lte=now, closes_at__gt=now)
        return queryset.filter(q) if value else queryset.exclude(q)


def _kecamatan_queryset():
    from django.conf import settings

    return Region.objects.filter(
        level=RegionLevel.KECAMATAN, code__startswith=settings.REGION_CODE + "."
    ).order_by("name")


class ApplicationFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    program = django_filters.ModelChoiceFilter(label=_("Programme"), queryset=Program.objects.all())
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"), choices=ApplicationStatus.choices, widget=forms.CheckboxSelectMultiple
    )
    track = TrackFilter(label=_("Track"), queryset=Track.objects.all(), method="filter_track")
    kecamatan = django_filters.ModelChoiceFilter(
        label=_("Kecamatan"),
        queryset=Region.objects.filter(level=RegionLevel.KECAMATAN),
        field_name="enterprise__kecamatan",
    )
    size_class = django_filters.ChoiceFilter(
        label=_("Size class"), choices=SizeClass.choices, field_name="enterprise__size_class"
    )
    eligibility = django_filters.ChoiceFilter(
        label=_("Eligibility rules"),
        choices=[
            ("met", _("All rules met")),
            ("failed", _("A rule failed")),
            ("unchecked", _("Not checked")),
        ],
        method="filter_eligibility",
    )

    class Meta:
        model = Application
        fields = ["q", "program", "status", "track", "kecamatan", "size_class", "eligibility"]

    def __init__(self, *args, program: Program | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["kecamatan"].queryset = _kecamatan_queryset()
        if program is not None:
            self.filters["track"].queryset = program.tracks.all()
            del self.filters["program"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(enterprise__name__icontains=value)
            | Q(enterprise__brand__icontains=value)
            | Q(enterprise__owner_name__icontains=value)
        )

    def filter_track(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(
            Exists(TrackChoice.objects.filter(application=OuterRef("pk"), track=value))
        )

    def filter_eligibility(self, queryset, name, value):
        if value == "met":
            return queryset.filter(eligibility_ok=True)
        if value == "failed":
            return queryset.filter(eligibility_ok=False)
        if value == "unchecked":
            return queryset.filter(eligibility_ok__isnull=True)
        return queryset
