"""Pagination for the API and the pages, and counting that stays cheap on large tables.

A full ``COUNT(*)`` of a million-row filter costs more than the page itself (docs/performance.md).
``cheap_count`` asks the planner first: when it expects more than ``EXACT_COUNT_LIMIT`` rows, its
estimate is the answer, flagged as estimated (the pages then say "about 1.2 million"); below it,
the exact count, which is cheap for so few rows. The planner's statistics come from ANALYZE
(autovacuum keeps them current; seed_scale and large imports run it)."""

import json
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property
from rest_framework import pagination
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

EXACT_COUNT_LIMIT = 10_000


@dataclass(frozen=True)
class Count:
    value: int
    estimated: bool = False

    def __int__(self) -> int:
        return self.value


def cheap_count(queryset, *, exact_limit: int = EXACT_COUNT_LIMIT) -> Count:
    """PostgreSQL's estimate when the planner expects more than ``exact_limit`` rows (one
    EXPLAIN, well under a millisecond), else the exact count (cheap for so few rows)."""
    if not hasattr(queryset, "order_by"):  # a list
        return Count(len(queryset))
    ids = queryset.order_by().values("pk")
    if connections[queryset.db].vendor != "postgresql":
        return Count(ids.count())
    plan = json.loads(ids.explain(format="json"))
    estimate = int(plan[0]["Plan"]["Plan Rows"])
    if estimate <= exact_limit:
        return Count(ids.count())
    if estimate <= 10 * exact_limit:  # near the limit a stale estimate matters: check it
        bounded = ids[: exact_limit + 1].count()
        if bounded <= exact_limit:
            return Count(bounded)
    return Count(estimate, estimated=True)


class PageNumberPagination(pagination.PageNumberPagination):
    """`{count, next, previous, results}`; clients may ask for up to 200 rows a page."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class LargeListPagination(PageNumberPagination):
    """The same contract for lists that may hold millions of rows.

    The page is read with one row more than asked (so ``next`` needs no count); ``count`` comes
    from ``cheap_count`` and is not queried at all when the first page is not full. An estimated
    count is marked by the ``X-Count-Estimated: true`` header. ``rows`` turns the sliced
    queryset into the page's items (e.g. ``.values()`` with the columns the list shows)."""

    def paginate_queryset(
        self, queryset, request, view=None, rows=None, count_queryset=None, counter=None
    ):
        self.request = request
        size = self.get_page_size(request)
        try:
            self.number = int(request.query_params.get(self.page_query_param) or 1)
        except ValueError:
            raise NotFound("Invalid page.") from None
        if not 1 <= self.number <= 10**9:
            raise NotFound("Invalid page.")
        offset = (self.number - 1) * size
        window = queryset[offset : offset + size + 1]
        items = list(rows(window) if rows else window)
        self.has_next = len(items) > size
        items = items[:size]
        if self.number > 1 and not items:
            raise NotFound("Invalid page.")
        if self.number == 1 and not self.has_next:
            self.count = Count(len(items))
        else:
            if counter is not None:  # the list knows a cheaper exact count (a maintained tally)
                self.count = counter()
            else:
                self.count = cheap_count(queryset if count_queryset is None else count_queryset)
            if self.count.estimated:  # an estimate below what we have seen is plainly wrong
                low = offset + len(items) + (1 if self.has_next else 0)
                self.count = Count(max(self.count.value, low), estimated=True)
        self.page_items = items
        return items

    def get_next_link(self):
        if not self.has_next:
            return None
        url = self.request.build_absolute_uri()
        return pagination.replace_query_param(url, self.page_query_param, self.number + 1)

    def get_previous_link(self):
        if self.number <= 1:
            return None
        url = self.request.build_absolute_uri()
        if self.number == 2:
            return pagination.remove_query_param(url, self.page_query_param)
        return pagination.replace_query_param(url, self.page_query_param, self.number - 1)

    def get_paginated_response(self, data):
        response = Response(
            {
                "count": self.count.value,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )
        if self.count.estimated:
            response["X-Count-Estimated"] = "true"
        return response


class LargePaginator(Paginator):
    """Django's Paginator for pages over large tables: the count comes from ``cheap_count``
    (of ``count_queryset`` when the rows are a narrower query, e.g. a relevance window), or from
    ``counter`` (a callable returning a ``Count``) when the list knows a cheaper exact one;
    ``count_estimated`` tells the template to say "about"."""

    def __init__(self, object_list, per_page, *args, count_queryset=None, counter=None, **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        self.count_queryset = count_queryset
        self.counter = counter

    @cached_property
    def _cheap(self) -> Count:
        if self.counter is not None:
            return self.counter()
        return cheap_count(self.object_list if self.count_queryset is None else self.count_queryset)

    @cached_property
    def count(self):
        return self._cheap.value

    @property
    def count_estimated(self) -> bool:
        return self._cheap.estimated
