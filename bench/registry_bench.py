"""Issue 9, items 1-3 and 7: the register's list API, counting, search, and the staff register
page under HTTP load — each beside a floor measured in the same run."""

import statistics

from .common import gunicorn, http_load, ms, percentile, result, timed

FILTER = {"status": "verified", "size_class": "kecil", "ordering": "name", "page_size": "50"}


def _kecamatans(n: int = 20) -> list[str]:
    from django.db.models import Count

    from registry.models import Enterprise

    rows = (
        Enterprise.objects.values("kecamatan_id")
        .annotate(n=Count("id"))
        .order_by("-n", "kecamatan_id")[:n]
    )
    return [r["kecamatan_id"] for r in rows if r["kecamatan_id"]]


def _api_caller(user):
    from rest_framework.test import APIRequestFactory, force_authenticate

    from registry.api.views import EnterpriseViewSet

    view = EnterpriseViewSet.as_view({"get": "list"})
    factory = APIRequestFactory()

    def call(params):
        request = factory.get("/api/v1/enterprises/", params)
        force_authenticate(request, user=user)
        response = view(request)
        response.render()
        assert response.status_code == 200, response.content[:300]
        return response

    return call


def _raw_floor(querysets):
    """The same SQL (rows and columns of the page) through a bare psycopg2 cursor."""
    import psycopg2
    from django.db import connection

    params = connection.get_connection_params()
    raw = psycopg2.connect(**params)
    raw.autocommit = True
    statements = [qs.query.sql_with_params() for qs in querysets]
    i = [0]

    def run():
        sql, args = statements[i[0] % len(statements)]
        i[0] += 1
        with raw.cursor() as cur:
            cur.execute(sql, args)
            cur.fetchall()

    return run, raw


def list_api(scale: int, user, *, repeat: int) -> list[dict]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from registry import selectors
    from registry.api.serializers import EnterpriseSerializer
    from registry.filtersets import EnterpriseFilterSet
    from registry.permissions import enterprises_visible_to

    kecamatans = _kecamatans()
    call = _api_caller(user)
    params = [{**FILTER, "kecamatan": k} for k in kecamatans]
    i = [0]

    def api():
        p = params[i[0] % len(params)]
        i[0] += 1
        call(p)

    # Warm every kecamatan's pages first: the floor below runs on a warm cache too.
    api_times = timed(api, repeat=repeat, warmup=len(params))
    from urllib.parse import urlencode

    from django.http import QueryDict

    querysets = []
    for p in params:
        fs = EnterpriseFilterSet(QueryDict(urlencode(p)), queryset=enterprises_visible_to(user))
        assert fs.is_valid()
        querysets.append(selectors.enterprise_rows(fs.qs)[0:51])
    floor, raw = _raw_floor(querysets)
    raw_times = timed(floor, repeat=repeat)
    raw.close()
    with CaptureQueriesContext(connection) as ctx:
        body = call(params[0])
    queries = len(ctx.captured_queries)
    page_rows = len(body.data["results"])

    # The naive path for comparison: ModelSerializer over model instances, a full COUNT.
    def naive():
        p = params[i[0] % len(params)]
        i[0] += 1
        fs = EnterpriseFilterSet(
            QueryDict(urlencode(p)), queryset=selectors.enterprise_list(user=user)
        )
        fs.is_valid()
        qs = fs.qs
        qs.count()
        EnterpriseSerializer(list(qs[:50]), many=True, context={"request": None}).data  # noqa: B018

    naive_times = timed(naive, repeat=max(5, repeat // 3))
    api_med, raw_med = statistics.median(api_times), statistics.median(raw_times)
    return [
        result(
            "1",
            f"list API in process, page of {page_rows} by kecamatan+status+size, by name ({scale:,})",
            figure=ms(api_med),
            unit="ms",
            floor=ms(raw_med),
            floor_name="raw psycopg2, same rows and columns",
            target="≤ 5× floor",
            ok=api_med <= 5 * raw_med,
            p95_ms=ms(percentile(api_times, 95)),
            queries=queries,
        ),
        result(
            "1",
            f"  same page, naive ModelSerializer + full COUNT ({scale:,}) — for comparison",
            figure=ms(statistics.median(naive_times)),
            unit="ms",
            floor=ms(raw_med),
            floor_name="raw psycopg2",
        ),
        result(
            "1",
            f"  queries per list request (in process, user cached) ({scale:,})",
            figure=queries,
            unit="queries",
            target="≤ 3",
            ok=queries <= 3,
        ),
    ]


def counting(scale: int, user, *, repeat: int) -> list[dict]:
    from ikm_portal.core.pagination import cheap_count
    from registry.models import Enterprise

    kec = _kecamatans(1)[0]
    cases = [
        ("whole register", Enterprise.objects.all()),
        ("status=verified", Enterprise.objects.filter(status="verified")),
        (
            "kecamatan+status+size",
            Enterprise.objects.filter(kecamatan_id=kec, status="verified", size_class="kecil"),
        ),
    ]
    from registry import selectors

    tallies = {
        "whole register": {},
        "status=verified": {"statuses": ["verified"]},
        "kecamatan+status+size": {
            "kecamatan": kec,
            "statuses": ["verified"],
            "size_classes": ["kecil"],
        },
    }
    rows = []
    for label, qs in cases:
        full = timed(lambda qs=qs: qs.count(), repeat=max(3, repeat // 5), warmup=1)
        spec = {"kecamatan": None, "statuses": [], "size_classes": [], **tallies[label]}

        def from_tally(qs=qs, spec=spec):
            return selectors.enterprise_count(user=user, queryset=qs, tally=spec)

        tally_times = timed(from_tally, repeat=repeat, warmup=2)
        exact = qs.count()
        got = from_tally()
        rows.append(
            result(
                "2",
                f"count {label} ({scale:,}) from the maintained tally: {got.value:,} vs {exact:,}",
                figure=ms(statistics.median(tally_times)),
                unit="ms",
                floor=ms(statistics.median(full)),
                floor_name="full COUNT(*)",
                target="exact, no full COUNT",
                ok=got.value == exact and not got.estimated,
            )
        )
        cheap = timed(lambda qs=qs: cheap_count(qs), repeat=repeat, warmup=2)
        c = cheap_count(qs)
        rows.append(
            result(
                "2",
                f"count {label} ({scale:,}): {'estimate' if c.estimated else 'exact'} "
                f"{c.value:,} vs {exact:,}",
                figure=ms(statistics.median(cheap)),
                unit="ms",
                floor=ms(statistics.median(full)),
                floor_name="full COUNT(*)",
                target="first page pays no full COUNT",
                ok=(not c.estimated and exact <= 10_000) or c.estimated,
                estimated=c.estimated,
                error_percent=round(abs(c.value - exact) / max(exact, 1) * 100, 1),
            )
        )
    return rows


def _search_terms() -> tuple[str, str, float, float]:
    """A selective term (a brand word) and the word closest to 10% of the register."""
    from django.db import connection

    from registry.models import Enterprise

    total = Enterprise.objects.count() or 1
    with connection.cursor() as cur:
        shares = {}
        for word in ("keripik", "kue", "konveksi", "jaya", "batik", "mebel"):
            cur.execute(
                "SELECT count(*) FROM registry_enterprise"
                " WHERE search_vector @@ to_tsquery('simple', %s)",
                [f"{word}:*"],
            )
            shares[word] = cur.fetchone()[0] / total
        common = min(shares, key=lambda w: abs(shares[w] - 0.10))
        middle = Enterprise.objects.exclude(brand="").order_by("id")[total // 2 : total // 2 + 1]
        brand = (middle.values_list("brand", flat=True).first() or "kinara").split()[0].lower()
        cur.execute(
            "SELECT count(*) FROM registry_enterprise"
            " WHERE search_vector @@ to_tsquery('simple', %s)",
            [f"{brand}:*"],
        )
        selective_share = cur.fetchone()[0] / total
    return brand, common, selective_share, shares[common]


def search(scale: int, user, *, repeat: int) -> list[dict]:
    from django.db.models import Q

    from registry.models import Enterprise

    call = _api_caller(user)
    selective, common, s_share, c_share = _search_terms()
    rows = []
    for term, share, target in ((selective, s_share, 30), (common, c_share, 120)):
        times = timed(lambda term=term: call({"q": term, "page_size": "20"}), repeat=repeat)

        def plain(term=term):
            qs = Enterprise.objects.filter(
                Q(name__icontains=term)
                | Q(brand__icontains=term)
                | Q(product_names__icontains=term)
            ).order_by("name")
            list(qs.values("id", "name")[:20])

        plain_times = timed(plain, repeat=max(5, repeat // 3), warmup=1)
        p95 = percentile(times, 95)
        rows.append(
            result(
                "3",
                f"search '{term}' ({share:.2%} of {scale:,}), API page of 20, relevance order",
                figure=ms(p95),
                unit="ms p95",
                floor=ms(percentile(plain_times, 95)),
                floor_name="plain icontains by name, 20 rows (no count)",
                target=f"p95 ≤ {target} ms",
                ok=p95 * 1000 <= target,
                median_ms=ms(statistics.median(times)),
            )
        )
    return rows


def http(scale: int, user, *, seconds: int) -> list[dict]:
    from django.conf import settings
    from django.test import Client
    from rest_framework.authtoken.models import Token

    token, _ = Token.objects.get_or_create(user=user)
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    kecamatans = _kecamatans()
    query = "&".join(f"{k}={v}" for k, v in FILTER.items())
    api_paths = [f"/api/v1/enterprises/?kecamatan={k}&{query}" for k in kecamatans]
    page_paths = ["/registry/list/"]
    rows = []
    with gunicorn(workers=2) as host:
        constant = http_load(host, ["/bench/constant/"], headers={}, seconds=seconds)
        api = http_load(
            host, api_paths, headers={"Authorization": f"Token {token.key}"}, seconds=seconds
        )
        page = http_load(
            host,
            page_paths,
            headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"},
            seconds=seconds,
        )
    rows.append(
        result(
            "1",
            f"list API over HTTP, gunicorn 2 workers, 16 connections ({scale:,})",
            figure=api["rps"],
            unit="req/s",
            floor=constant["rps"],
            floor_name=f"constant JSON view ({constant['p95_ms']} ms p95)",
            target="≥ 25% of floor, p95 ≤ 20 ms",
            ok=api["rps"] >= 0.25 * constant["rps"] and (api["p95_ms"] or 1e9) <= 20,
            p95_ms=api["p95_ms"],
            errors=api["errors"],
        )
    )
    rows.append(
        result(
            "7",
            f"staff register page (HTML, first page, all statuses) ({scale:,})",
            figure=page["rps"],
            unit="req/s",
            floor=constant["rps"],
            floor_name="constant JSON view",
            target="beside the floor",
            p95_ms=page["p95_ms"],
            errors=page["errors"],
        )
    )
    return rows
