"""The application's URLs plus a bare view: the floor every page's time is compared with."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from meridian.urls import urlpatterns as meridian_urlpatterns


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare, name="bench-bare"), *meridian_urlpatterns]
