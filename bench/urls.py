"""The portal's URLs plus `/bench/constant/`: the floor of the HTTP benchmarks (a Django view
that answers a constant JSON body, through the same middleware)."""

from django.http import JsonResponse
from django.urls import include, path

BODY = {"count": 0, "next": None, "previous": None, "results": []}


def constant(request):
    return JsonResponse(BODY)


urlpatterns = [path("bench/constant/", constant), path("", include("ikm_portal.urls"))]
