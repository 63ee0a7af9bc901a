"""Filters shared by the apps' FilterSets."""

import django_filters
from django import forms

DB_INT_MAX = 2**63 - 1


class IntegerFilter(django_filters.NumberFilter):
    """A whole number within the database's integer range, for ids, orders and years: a huge or
    fractional value is a validation error (400), not an overflow in the database (500)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", -DB_INT_MAX)
        kwargs.setdefault("max_value", DB_INT_MAX)
        super().__init__(*args, **kwargs)


class CachedFormFilterSet(django_filters.FilterSet):
    """A FilterSet whose form class is built once per FilterSet class, not per request.

    django-filter builds every filter's form field and a new Form class on each request (about
    2 ms for a dozen filters, as much as the page query on a million rows). The fields do not
    depend on the request here — static choices and querysets; the form's own deep copy still
    gives each request fresh fields, so a view may dress them. A FilterSet with per-request
    fields (a queryset callable of the request) must not use this."""

    def get_form_class(self):
        cls = type(self)
        form_class = cls.__dict__.get("_cached_form_class")
        if form_class is None:
            form_class = super().get_form_class()
            cls._cached_form_class = form_class
        return form_class
