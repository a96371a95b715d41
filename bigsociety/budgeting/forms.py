"""Forms for budgeting. They translate input; the services decide and check again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from bigsociety.common.uploads import LimitedFileField

from .eligibility import AGE_BANDS
from .models import BallotKind, Budget, DeliveryStatus, Feasibility, Process, Project
from .services.processes import EDITABLE_FIELDS


def apply_service_error(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form, by field where the field exists."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"


class DateInput(forms.DateInput):
    input_type = "date"


class ProcessForm(forms.ModelForm):
    class Meta:
        model = Process
        fields = EDITABLE_FIELDS
        widgets = {
            "ideas_open_on": DateInput,
            "review_opens_on": DateInput,
            "results_on": DateInput,
            "delivery_from": DateInput,
            "voting_opens_at": DateTimeInput,
            "voting_closes_at": DateTimeInput,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from bigsociety.places.models import Place

        place_field = self.fields["place"]
        assert isinstance(place_field, forms.ModelChoiceField)
        place_field.queryset = Place.objects.filter(
            kind__in=[Place.Kind.LOCAL_AUTHORITY, Place.Kind.WARD]
        )
        if self.instance.pk and self.instance.is_frozen:
            from .services.processes import FROZEN_FIELDS

            for name in FROZEN_FIELDS:
                self.fields[name].disabled = True

    def _post_clean(self) -> None:
        # The service validates the configuration; the model's own full_clean is skipped so
        # a half-built instance never hides the service's field messages.
        pass


class BudgetForm(forms.ModelForm):
    class Meta:
        model = Budget
        fields = ["name", "amount", "ward"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from bigsociety.places.models import Place

        ward_field, amount_field = self.fields["ward"], self.fields["amount"]
        assert isinstance(ward_field, forms.ModelChoiceField)
        assert isinstance(amount_field, forms.IntegerField)
        ward_field.queryset = Place.objects.filter(kind=Place.Kind.WARD)
        amount_field.min_value = 1

    def _post_clean(self) -> None:
        pass


class ProjectForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = ["title", "description", "cost", "location", "category", "latitude", "longitude"]

    def _post_clean(self) -> None:
        pass


class IdeaForm(forms.Form):
    budget = forms.ModelChoiceField(queryset=Budget.objects.none(), label=_l("Which budget"))
    title = forms.CharField(label=_l("Title of your idea"), max_length=200)
    description = forms.CharField(label=_l("Describe your idea"), widget=forms.Textarea)
    cost = forms.IntegerField(
        label=_l("Rough cost in pounds"), min_value=1, help_text=_l("Staff will check this.")
    )
    location = forms.CharField(label=_l("Where"), max_length=200, required=False)
    category = forms.CharField(label=_l("Category"), max_length=100, required=False)

    def __init__(self, *args: Any, process: Process, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        budget_field = self.fields["budget"]
        assert isinstance(budget_field, forms.ModelChoiceField)
        budget_field.queryset = process.budgets.all()


class ReviewForm(forms.Form):
    feasibility = forms.ChoiceField(
        label=_l("Decision"),
        choices=[c for c in Feasibility.choices if c[0] != Feasibility.PENDING],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_l("Reason (published)"), widget=forms.Textarea, required=False)
    cost = forms.IntegerField(
        label=_l("Revised cost in pounds"),
        min_value=1,
        required=False,
        help_text=_l("Leave empty to keep the current cost."),
    )


class TransitionForm(forms.Form):
    target = forms.CharField(widget=forms.HiddenInput)


class ElectorImportForm(forms.Form):
    identifiers = forms.CharField(
        label=_l("Eligible voters"),
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        help_text=_l(
            "One per line: an email address or reference number, optionally followed by a "
            "comma and the ward code. They are stored only as keyed hashes."
        ),
    )
    file = LimitedFileField(
        label=_l("Or upload a CSV file"), allowed=["csv", "txt"], required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        if upload:
            try:
                data["identifiers"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise ValidationError({"file": _("The file must be UTF-8 text.")}) from None
        if not (data.get("identifiers") or "").strip():
            raise ValidationError({"identifiers": _("Enter at least one voter or upload a file.")})
        return data


class CodesForm(forms.Form):
    count = forms.IntegerField(label=_l("How many voting codes"), min_value=1, max_value=100_000)


class ClaimForm(forms.Form):
    code = forms.CharField(
        label=_l("Voting code from your letter"),
        max_length=40,
        required=False,
        help_text=_l("For example ABCD-EFGH-JKLM"),
    )
    identifier = forms.CharField(
        label=_l("Or your voter reference"),
        max_length=200,
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("code") and not data.get("identifier"):
            raise ValidationError({"code": _("Enter the voting code from your letter.")})
        return data


def _project_label(project: Project) -> str:
    return f"{project.title} (£{project.cost:,})"


class BallotForm(forms.Form):
    """The ballot for one budget, shaped by the process's ballot kind. Works without JS."""

    def __init__(
        self, *args: Any, process: Process, budget: Budget, projects: list[Project], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.process, self.budget, self.projects = process, budget, projects
        kind = process.ballot_kind
        choices = [(str(p.pk), _project_label(p)) for p in projects]
        if kind in (BallotKind.APPROVAL, BallotKind.KNAPSACK):
            help_text = _("Choose at least %(min)s") % {"min": process.min_projects}
            if process.max_projects:
                help_text += _(" and at most %(max)s") % {"max": process.max_projects}
            if kind == BallotKind.KNAPSACK:
                cap = min(process.cost_cap or budget.amount, budget.amount)
                help_text += _(", costing no more than £%(cap)s in total") % {"cap": f"{cap:,}"}
            self.fields["projects"] = forms.MultipleChoiceField(
                label=_("Projects you support"),
                choices=choices,
                widget=forms.CheckboxSelectMultiple,
                required=False,
                help_text=help_text + ".",
            )
        elif kind == BallotKind.CHOOSE_ONE:
            self.fields["projects"] = forms.ChoiceField(
                label=_("The project you support"),
                choices=choices,
                widget=forms.RadioSelect,
                required=False,
            )
        elif kind == BallotKind.CUMULATIVE:
            for project in projects:
                self.fields[f"points_{project.pk}"] = forms.IntegerField(
                    label=_("Points for %(title)s") % {"title": _project_label(project)},
                    min_value=0,
                    max_value=process.total_points,
                    required=False,
                )
        elif kind == BallotKind.RANKED:
            rank_choices = [("", _("Not ranked"))] + [
                (str(i), str(i)) for i in range(1, (process.rank_k or 1) + 1)
            ]
            for project in projects:
                self.fields[f"rank_{project.pk}"] = forms.TypedChoiceField(
                    label=_("Rank for %(title)s") % {"title": _project_label(project)},
                    choices=rank_choices,
                    coerce=int,
                    empty_value=None,
                    required=False,
                )

    def selection(self) -> tuple[list[int], list[int]]:
        """(project ids in order, points) from the cleaned data."""
        kind = self.process.ballot_kind
        data = self.cleaned_data
        if kind in (BallotKind.APPROVAL, BallotKind.KNAPSACK):
            return [int(x) for x in data.get("projects") or []], []
        if kind == BallotKind.CHOOSE_ONE:
            return ([int(data["projects"])] if data.get("projects") else []), []
        if kind == BallotKind.CUMULATIVE:
            chosen = [(p.pk, data.get(f"points_{p.pk}") or 0) for p in self.projects]
            chosen = [(pk, pts) for pk, pts in chosen if pts > 0]
            return [pk for pk, _pts in chosen], [pts for _pk, pts in chosen]
        ranked = [(data.get(f"rank_{p.pk}"), p.pk) for p in self.projects]
        ranked = [(r, pk) for r, pk in ranked if r]
        ranks = [r for r, _pk in ranked]
        if len(set(ranks)) != len(ranks):
            raise ValidationError(_("Give each project a different rank."))
        return [pk for _r, pk in sorted(ranked)], []

    @staticmethod
    def initial_for(process: Process, selection: list[int], points: list[int]) -> dict[str, Any]:
        kind = process.ballot_kind
        if kind in (BallotKind.APPROVAL, BallotKind.KNAPSACK):
            return {"projects": [str(pk) for pk in selection]}
        if kind == BallotKind.CHOOSE_ONE:
            return {"projects": str(selection[0])} if selection else {}
        if kind == BallotKind.CUMULATIVE:
            return {f"points_{pk}": pts for pk, pts in zip(selection, points, strict=False)}
        return {f"rank_{pk}": str(i) for i, pk in enumerate(selection, start=1)}


class PaperBallotForm(BallotForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {
            "paper_number": forms.CharField(label=_("Ballot paper number"), max_length=40),
            "voter_code": forms.CharField(
                label=_("Voting code or voter reference on the paper"), max_length=200
            ),
            "age_band": forms.ChoiceField(
                label=_("Age band (if given)"),
                choices=[("", _("Not given"))] + [(b, b) for b in AGE_BANDS],
                required=False,
            ),
            **self.fields,
        }


class ResolveForm(forms.Form):
    decision = forms.ChoiceField(label=_l("What the paper shows"), widget=forms.RadioSelect)
    note = forms.CharField(label=_l("Note"), widget=forms.Textarea)

    def __init__(self, *args: Any, entries: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        decision = self.fields["decision"]
        assert isinstance(decision, forms.ChoiceField)
        decision.choices = [
            (str(e.pk), _("Entry %(n)s is right") % {"n": i}) for i, e in enumerate(entries, 1)
        ] + [("reject", _("Reject the paper (spoilt)"))]


class OverrideForm(forms.Form):
    funded = forms.MultipleChoiceField(
        label=_l("Projects to fund"), widget=forms.CheckboxSelectMultiple, required=False
    )
    reason = forms.CharField(
        label=_l("Reason for overriding the counting rule (published)"), widget=forms.Textarea
    )

    def __init__(self, *args: Any, projects: list[Project], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        funded = self.fields["funded"]
        assert isinstance(funded, forms.ChoiceField)
        funded.choices = [(str(p.pk), _project_label(p)) for p in projects]


class DeliveryForm(forms.Form):
    status = forms.ChoiceField(label=_l("Status"), choices=DeliveryStatus.choices)
    progress = forms.IntegerField(label=_l("Progress (%)"), min_value=0, max_value=100)


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_l("Milestone"), max_length=200)
    due_on = forms.DateField(label=_l("Due on"), required=False, widget=DateInput)
    completed_on = forms.DateField(label=_l("Completed on"), required=False, widget=DateInput)
    note = forms.CharField(label=_l("Note"), widget=forms.Textarea, required=False)


class PbImportForm(forms.Form):
    file = LimitedFileField(
        label=_l("pabulib .pb file"), allowed=["pb", "txt"], max_bytes=50 * 1024 * 1024
    )
