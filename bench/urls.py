"""The site's URLs plus /bench/hello, a bare Django view: the ceiling we compare against."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as site_urlpatterns


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("hello", content_type="text/plain")


urlpatterns = [path("bench/hello", hello), *site_urlpatterns]
