"""A faster JSON renderer for hot lists (docs/performance.md).

DRF's JSONRenderer runs the standard library's encoder; for a page of 50 businesses with 44
fields that is about as long as the page query on a million rows. ``FastJSONRenderer`` writes
the same JSON with orjson, and embeds values the database already wrote as JSON
(``orjson.Fragment``: the products and certifications arrays) without parsing and re-encoding
them. Anything orjson does not take as it is (an indented response for the browsable API,
Decimals, lazy translations, dates in DRF's own format) goes through DRF's renderer unchanged,
so the output is the same JSON either way."""

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

_LINE_SEPARATORS = ((b"\xe2\x80\xa8", b"\\u2028"), (b"\xe2\x80\xa9", b"\\u2029"))


class _FragmentEncoder(JSONEncoder):
    def default(self, obj):
        if isinstance(obj, orjson.Fragment):
            return orjson.loads(orjson.dumps(obj))  # a Fragment dumps as its own text
        return super().default(obj)


def _strict(obj):
    raise TypeError  # not a plain JSON value: DRF's encoder decides how it is written


class FastJSONRenderer(JSONRenderer):
    encoder_class = _FragmentEncoder

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if self.get_indent(accepted_media_type, renderer_context or {}) is None:
            try:
                out = orjson.dumps(
                    data,
                    default=_strict,
                    option=orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_SUBCLASS,
                )
            except TypeError:
                pass
            else:
                # As DRF: U+2028 and U+2029 escaped, so the output is also valid JavaScript.
                for raw, escaped in _LINE_SEPARATORS:
                    if raw in out:
                        out = out.replace(raw, escaped)
                return out
        return super().render(data, accepted_media_type, renderer_context)
