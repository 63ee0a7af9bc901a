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
