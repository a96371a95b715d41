"""The site's URL map. Each app owns its own namespaced urls.py."""

from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from config.api import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("accounts/", include("bigsociety.accounts.urls")),
    path("places/", include("bigsociety.places.urls")),
    path("organisations/", include("bigsociety.organisations.urls")),
    path("", include("bigsociety.opendata.urls")),
    path("crime/", include("bigsociety.crime.urls")),
    path("budgeting/", include("bigsociety.budgeting.urls")),
    path("", include("bigsociety.common.urls")),
    path("api/v1/", api.urls),
    path("api/police/", include("bigsociety.crime.urls_police")),
    path("admin/", include(wagtailadmin_urls)),
    path("django-admin/", admin.site.urls),
    path("documents/", include(wagtaildocs_urls)),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail serves every other path from the page tree, so it comes last.
urlpatterns.append(path("", include(wagtail_urls)))
