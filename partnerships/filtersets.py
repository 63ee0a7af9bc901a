"""One FilterSet per model, shared by the HTML list and the API."""

from datetime import timedelta

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import AGREEMENT_REMINDER_DAYS, AgreementStatus, PartnerKind
from .models import Agreement, Partner


class PartnerFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=PartnerKind.choices)
    active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = Partner
        fields = ["q", "kind", "active"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value) | Q(contact_person__icontains=value) | Q(email__iexact=value)
        )


class AgreementFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    partner = django_filters.ModelChoiceFilter(label=_("Partner"), queryset=Partner.objects.all())
    status = django_filters.ChoiceFilter(label=_("Status"), choices=AgreementStatus.choices)
    expiring = django_filters.BooleanFilter(
        label=_("Ends within 30 days"), method="filter_expiring"
    )

    class Meta:
        model = Agreement
        fields = ["q", "partner", "status", "expiring"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            from .permissions import partners_visible_to

            self.filters["partner"].queryset = partners_visible_to(user)

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value)
            | Q(title__icontains=value)
            | Q(partner__name__icontains=value)
        )

    def filter_expiring(self, queryset, name, value):
        if value is None:
            return queryset
        today = timezone.localdate()
        window = Q(
            status=AgreementStatus.ACTIVE,
            valid_to__gte=today,
            valid_to__lte=today + timedelta(days=AGREEMENT_REMINDER_DAYS),
        )
        return queryset.filter(window) if value else queryset.exclude(window)
