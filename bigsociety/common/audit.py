"""The audit log: every service that changes state records who, what, when, before and after."""

from __future__ import annotations

from typing import Any

from django.db import models

from .models import AuditEntry


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, models.Model):
        return str(value.pk)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def snapshot(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    """The values of ``fields`` on ``instance``, ready to store as 'before' or 'after'."""
    values: dict[str, Any] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        values[name] = _jsonable(getattr(instance, getattr(field, "attname", name)))
    return values


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The fields whose values differ, as ``{field: {"before": x, "after": y}}``."""
    return {
        key: {"before": before.get(key), "after": after.get(key)}
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def audit_record(
    *,
    actor: Any,
    action: str,
    target: models.Model,
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    """Write one audit entry. ``actor`` is a user, or None for the system."""
    is_person = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEntry.objects.create(
        actor=actor if is_person else None,
        actor_label=(getattr(actor, "email", "") or str(actor)) if is_person else "system",
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_label=str(target)[:300],
        changes=_jsonable(changes or {}),
    )


def audit_trail(target: models.Model) -> models.QuerySet[AuditEntry]:
    """Every audit entry about ``target``, newest first."""
    return AuditEntry.objects.filter(
        target_type=target._meta.label_lower, target_id=str(target.pk)
    ).select_related("actor")
