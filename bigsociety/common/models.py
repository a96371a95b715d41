"""Framework-level models every app stands on: the base model, the audit log and notifications."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class BaseModel(models.Model):
    """Every model of the platform records when it was created and last changed."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class AuditEntry(models.Model):
    """Who did what, when, to which object, with the values before and after."""

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("actor label"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    target_type = models.CharField(_("target type"), max_length=100, db_index=True)
    target_id = models.CharField(_("target id"), max_length=64, db_index=True)
    target_label = models.CharField(_("target label"), max_length=300, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["target_type", "target_id", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label or 'system'} {self.action}"


class Notification(BaseModel):
    """A message for one person, shown on the site and, by their preference, emailed."""

    class Delivery(models.TextChoices):
        IMMEDIATE = "immediate", _("Straight away")
        DIGEST = "digest", _("In a daily digest")
        SITE_ONLY = "site", _("On the site only")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    topic = models.CharField(_("topic"), max_length=60)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"))
    url = models.CharField(_("link"), max_length=500, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True)
    delivery = models.CharField(_("delivery"), max_length=10, choices=Delivery.choices)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(fields=["delivery", "emailed_at"]),
        ]

    def __str__(self) -> str:
        return self.subject


class NotificationPreference(BaseModel):
    """How one person wants one topic delivered. No row means the topic's default."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    topic = models.CharField(_("topic"), max_length=60)
    delivery = models.CharField(_("delivery"), max_length=10, choices=Notification.Delivery.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "topic"], name="one_preference_per_topic")
        ]

    def __str__(self) -> str:
        return f"{self.topic}: {self.delivery}"
