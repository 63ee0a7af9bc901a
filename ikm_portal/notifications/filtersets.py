import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ikm_portal.core.validators import normalize_phone

from .catalog import template_choices
from .choices import Channel, Status
from .models import Notification


class NotificationFilterSet(django_filters.FilterSet):
    """One filter for the delivery log page, its API and the inbox API."""

    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Status.choices, empty_label=_("All")
    )
    channel = django_filters.ChoiceFilter(
        label=_("Channel"), choices=Channel.choices, empty_label=_("All")
    )
    template = django_filters.ChoiceFilter(
        label=_("Template"), choices=template_choices, empty_label=_("All")
    )
    recipient = django_filters.CharFilter(
        label=_("Recipient"),
        method="filter_recipient",
        help_text=_("Name, e-mail address or mobile number."),
    )
    unread = django_filters.BooleanFilter(label=_("Unread"), method="filter_unread")

    class Meta:
        model = Notification
        fields = ["status", "channel", "template", "recipient", "unread"]

    def filter_recipient(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        match = (
            Q(address__icontains=value)
            | Q(recipient__email__icontains=value)
            | Q(recipient__full_name__icontains=value)
        )
        try:
            phone = normalize_phone(value)
        except ValidationError:
            pass
        else:
            match |= Q(address=phone) | Q(recipient__phone=phone)
        return queryset.filter(match)

    def filter_unread(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(read_at__isnull=value)
