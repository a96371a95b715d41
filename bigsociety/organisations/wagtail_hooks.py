"""The back office (/admin/organisations/): staff holding Role.ADMINISTRATOR add, edit and
verify organisations. Saving goes through the services, so every change is audited and the
people affected are told. Organisations are not deleted here: datasets and other records
point at them, and the audit trail would lose its subject."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import BasePermissionPolicy

from bigsociety.accounts.roles import Role, has_role

from . import services
from .forms import OrgIdField
from .models import Organisation

FIELDS = [
    "name",
    "kind",
    "org_id",
    "places",
    "verified",
    "description",
    "website",
    "email",
    "phone",
    "address",
]


class AdministratorsOnly(BasePermissionPolicy):
    """Staff administrators may add, change and view; nobody deletes."""

    def user_has_permission(self, user: Any, action: str) -> bool:
        return action != "delete" and has_role(user, Role.ADMINISTRATOR)

    def user_has_any_permission(self, user: Any, actions: list[str]) -> bool:
        return any(self.user_has_permission(user, action) for action in actions)

    def users_with_any_permission(self, actions: list[str]) -> QuerySet[Any]:
        users = get_user_model().objects.filter(is_active=True)
        if set(actions) == {"delete"}:
            return users.none()
        return users.filter(is_superuser=True) | users.filter(
            is_staff=True, groups__name=Role.ADMINISTRATOR.value
        )

    def users_with_permission(self, action: str) -> QuerySet[Any]:
        return self.users_with_any_permission([action])


class OrganisationCreateView(generic.CreateView):
    def save_instance(self) -> Organisation:
        data = self.form.cleaned_data
        return services.organisation_create(
            acting_user=self.request.user, **{field: data[field] for field in FIELDS}
        )


class OrganisationEditView(generic.EditView):
    def save_instance(self) -> Organisation:
        data = self.form.cleaned_data
        organisation = Organisation.objects.get(pk=self.object.pk)
        changes = {field: data[field] for field in FIELDS if field != "verified"}
        organisation = services.organisation_update(
            organisation=organisation, acting_user=self.request.user, **changes
        )
        if data["verified"] != organisation.verified:
            organisation = services.organisation_verify(
                organisation=organisation, acting_user=self.request.user, verified=data["verified"]
            )
        self.has_content_changes = self.form.has_changed()
        return organisation


class OrganisationViewSet(ModelViewSet):
    model = Organisation
    icon = "group"
    menu_label = _("Organisations")
    add_to_admin_menu = True
    menu_order = 300
    url_prefix = "organisations"
    url_namespace = "organisations_admin"
    form_fields = FIELDS
    list_display = ["name", "kind", "org_id", "verified"]
    list_filter = ["kind", "verified"]
    search_fields = ["name", "org_id"]
    copy_view_enabled = False
    add_view_class = OrganisationCreateView
    edit_view_class = OrganisationEditView

    def formfield_for_dbfield(self, db_field: Any, **kwargs: Any) -> Any:
        if db_field.name == "org_id":
            return OrgIdField()  # tidies "gb-chc 1164883" before the model checks it
        return super().formfield_for_dbfield(db_field, **kwargs)

    @property
    def permission_policy(self) -> BasePermissionPolicy:  # type: ignore[override]
        return AdministratorsOnly(Organisation)


@hooks.register("register_admin_viewset")
def register_organisation_viewset() -> ModelViewSet:
    return OrganisationViewSet("organisations")
