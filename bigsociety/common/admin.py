"""The audit log, read-only, in Django's admin (/django-admin/, superusers, two factors)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_label", "action", "target_type", "target_id", "target_label"]
    list_filter = ["action", "target_type"]
    search_fields = ["actor_label", "action", "target_label", "target_id"]
    date_hierarchy = "at"
    list_select_related = ["actor"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
