"""One FilterSet per model, shared by the pages and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from ikm_portal.core.filters import IntegerFilter

from ..models import Program, Track
from .choices import Decision, ReviewStatus, RunStatus
from .models import Review, SelectionRun, StageDecision


class ReviewFilterSet(django_filters.FilterSet):
    program = django_filters.ModelChoiceFilter(
        label=_("Programme"), queryset=Program.objects.all(), field_name="stage__program"
    )
    stage = IntegerFilter(label=_("Stage"), field_name="stage__order")
    application = IntegerFilter(label=_("Application"), field_name="application_id")
    reviewer = IntegerFilter(label=_("Reviewer"), field_name="reviewer_id")
    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=ReviewStatus.choices)
    mine = django_filters.BooleanFilter(label=_("Only mine"), method="filter_mine")

    class Meta:
        model = Review
        fields = ["program", "stage", "application", "reviewer", "status", "mine"]

    def filter_mine(self, queryset, name, value):
        if value is None or self.request is None:
            return queryset
        user = self.request.user
        return queryset.filter(reviewer=user) if value else queryset.exclude(reviewer=user)


class AssignmentFilterSet(django_filters.FilterSet):
    reviewer = IntegerFilter(label=_("Reviewer"), field_name="reviewer_id")
    application = IntegerFilter(label=_("Application"), field_name="application_id")
    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=ReviewStatus.choices)

    class Meta:
        model = Review
        fields = ["reviewer", "application", "status"]


class StageDecisionFilterSet(django_filters.FilterSet):
    program = django_filters.ModelChoiceFilter(
        label=_("Programme"), queryset=Program.objects.all(), field_name="stage__program"
    )
    stage = IntegerFilter(label=_("Stage"), field_name="stage__order")
    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=Decision.choices)
    track = django_filters.ModelChoiceFilter(label=_("Track"), queryset=Track.objects.all())
    application = IntegerFilter(label=_("Application"), field_name="application_id")

    class Meta:
        model = StageDecision
        fields = ["program", "stage", "status", "track", "application"]


class SelectionRunFilterSet(django_filters.FilterSet):
    program = django_filters.ModelChoiceFilter(
        label=_("Programme"), queryset=Program.objects.all(), field_name="stage__program"
    )
    stage = IntegerFilter(label=_("Stage"), field_name="stage__order")
    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=RunStatus.choices)

    class Meta:
        model = SelectionRun
        fields = ["program", "stage", "status"]
