import django_filters
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import AccessAction, AccessChannel, RequestKind, RequestStatus
from .models import AccessLog, DataRequest


def _date(label, lookup):
    return django_filters.DateFilter(
        label=label,
        field_name="created_at",
        lookup_expr=lookup,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class AccessLogFilterSet(django_filters.FilterSet):
    action = django_filters.ChoiceFilter(label=_("Action"), choices=AccessAction.choices)
    channel = django_filters.ChoiceFilter(label=_("Channel"), choices=AccessChannel.choices)
    who = django_filters.CharFilter(label=_("Who"), method="filter_who")
    organisation = django_filters.CharFilter(label=_("Organisation"), lookup_expr="icontains")
    subject = django_filters.CharFilter(
        label=_("Whose data"), field_name="subject_name", lookup_expr="icontains"
    )
    person = django_filters.NumberFilter(
        label=_("Data subject (account id)"), field_name="subject_user", widget=forms.HiddenInput
    )
    record = django_filters.CharFilter(
        label=_("Record"), method="filter_record", widget=forms.HiddenInput
    )
    since = _date(_("From"), "date__gte")
    until = _date(_("Until"), "date__lte")

    class Meta:
        model = AccessLog
        fields = ["action", "channel", "who", "organisation", "subject", "since", "until"]

    def filter_who(self, queryset, name, value):
        return queryset.filter(Q(actor_email__icontains=value) | Q(actor_name__icontains=value))

    def filter_record(self, queryset, name, value):
        """ "app_label.model:pk" (selectors.record_key): rows about that record."""
        label, _sep, pk = value.partition(":")
        app_label, _dot, model = label.partition(".")
        if not pk.isdigit():
            return queryset.none()
        try:
            content_type = ContentType.objects.get_by_natural_key(app_label, model)
        except ContentType.DoesNotExist:
            return queryset.none()
        return queryset.filter(subject_type=content_type, subject_id=int(pk))


class DataRequestFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=RequestStatus.choices)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=RequestKind.choices)

    class Meta:
        model = DataRequest
        fields = ["status", "kind"]
