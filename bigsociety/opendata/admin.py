"""Django admin for the catalogue's reference lists (licences, themes). Datasets and resources
are changed through the staff pages, which go through the services (history, search index)."""

from django.contrib import admin

from .models import Licence, Theme


@admin.register(Licence)
class LicenceAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "is_open", "is_default"]
    search_fields = ["code", "title"]


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["slug", "title", "uri"]
    search_fields = ["slug", "title"]
    prepopulated_fields = {"slug": ["title"]}
