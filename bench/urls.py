"""`make bench`'s URLs: the product's, and a trivial view to compare its pages with (http_rps_bare)."""

from django.http import HttpResponse
from django.urls import include, path


def bare(request):
    """The least a Django view can do, behind the same middleware as every page."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [
    path("bench/bare/", bare, name="bench_bare"),
    path("", include("accounting_registry.urls")),
]
