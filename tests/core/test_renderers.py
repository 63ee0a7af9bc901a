"""FastJSONRenderer writes what DRF's JSONRenderer writes, faster (docs/performance.md)."""

import datetime
import json
from decimal import Decimal

import orjson
import pytest
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer

from ikm_portal.core.filters import CachedFormFilterSet
from ikm_portal.core.renderers import FastJSONRenderer
from registry.filtersets import EnterpriseFilterSet


@pytest.mark.parametrize(
    "data",
    [
        {"count": 2, "next": None, "results": [{"name": "Keripik Tempe", "ok": True}]},
        {"when": datetime.datetime(2026, 12, 8, 4, 51, 30, 123456, tzinfo=datetime.UTC)},
        {"money": Decimal("1500000.50"), "label": gettext_lazy("Status")},
        {"text": "a\u2028b\u2029c", "nested": [[1, 2.5], {"x": None}]},
        {1: "a non-string key"},
    ],
)
def test_fast_renderer_equals_drf(data):
    assert FastJSONRenderer().render(data) == JSONRenderer().render(data)


def test_fragments_are_embedded_as_written_and_survive_the_fallback():
    data = {"products": orjson.Fragment('[{"name":"Tempe"}]'), "money": None}
    assert FastJSONRenderer().render(data) == b'{"products":[{"name":"Tempe"}],"money":null}'
    data["money"] = Decimal("2.5")  # not plain JSON: DRF's encoder writes it
    assert json.loads(FastJSONRenderer().render(data)) == {
        "products": [{"name": "Tempe"}],
        "money": 2.5,
    }
    indented = FastJSONRenderer().render(data, "application/json; indent=4")
    assert indented.startswith(b'{\n    "products"')


def test_cached_form_class_gives_each_filterset_fresh_fields():
    assert issubclass(EnterpriseFilterSet, CachedFormFilterSet)
    first = EnterpriseFilterSet({}).form
    first.fields["q"].widget.attrs["type"] = "search"
    second = EnterpriseFilterSet({"q": "tempe"}).form
    assert type(first) is type(second)
    assert "type" not in second.fields["q"].widget.attrs
    assert second.is_valid() and second.cleaned_data["q"] == "tempe"
