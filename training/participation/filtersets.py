"""One FilterSet per model of participation, shared by the HTML lists and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ikm_portal.core.filters import IntegerFilter
from training.models import Program, Stage, Track

from .choices import AttendanceStatus, OutcomeStatus, OutcomeWave, ParticipantStatus
from .models import Attendance, OutcomeSurvey, Participant, Session


class SessionFilterSet(django_filters.FilterSet):
    stage = django_filters.ModelChoiceFilter(label=_("Stage"), queryset=Stage.objects.all())
    track = django_filters.ModelChoiceFilter(label=_("Track"), queryset=Track.objects.all())
    since = django_filters.DateFilter(
        label=_("From"), field_name="starts_at", lookup_expr="date__gte"
    )
    until = django_filters.DateFilter(
        label=_("Until"), field_name="starts_at", lookup_expr="date__lte"
    )
    cancelled = django_filters.BooleanFilter(
        label=_("Cancelled"), field_name="cancelled_at", lookup_expr="isnull", exclude=True
    )

    class Meta:
        model = Session
        fields = ["stage", "track", "since", "until", "cancelled"]


class ParticipantFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    program = django_filters.ModelChoiceFilter(label=_("Programme"), queryset=Program.objects.all())
    stage = django_filters.ModelChoiceFilter(label=_("Stage"), queryset=Stage.objects.all())
    track = django_filters.ModelChoiceFilter(label=_("Track"), queryset=Track.objects.all())
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"), choices=ParticipantStatus.choices
    )
    certificate = django_filters.BooleanFilter(
        label=_("Has a certificate"), field_name="certificate", lookup_expr="isnull", exclude=True
    )

    class Meta:
        model = Participant
        fields = ["q", "program", "stage", "track", "status", "certificate"]

    def __init__(self, *args, program=None, **kwargs):
        super().__init__(*args, **kwargs)
        if program is not None:
            self.filters["stage"].queryset = Stage.objects.filter(program=program)
            self.filters["track"].queryset = Track.objects.filter(program=program)
            del self.filters["program"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(enterprise__name__icontains=value) | Q(enterprise__owner_name__icontains=value)
        )


class AttendanceFilterSet(django_filters.FilterSet):
    session = IntegerFilter(label=_("Session"), field_name="session_id")
    participant = IntegerFilter(label=_("Participant"), field_name="participant_id")
    program = IntegerFilter(label=_("Programme"), field_name="session__program_id")
    status = django_filters.MultipleChoiceFilter(
        label=_("Attendance"), choices=AttendanceStatus.choices
    )

    class Meta:
        model = Attendance
        fields = ["session", "participant", "program", "status"]


class OutcomeFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    program = IntegerFilter(label=_("Programme"), field_name="application__program_id")
    application = IntegerFilter(label=_("Application"), field_name="application_id")
    wave = django_filters.ChoiceFilter(label=_("Survey"), choices=OutcomeWave.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=OutcomeStatus.choices)

    class Meta:
        model = OutcomeSurvey
        fields = ["q", "program", "application", "wave", "status"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(application__enterprise__name__icontains=value)
            | Q(application__enterprise__owner_name__icontains=value)
        )
