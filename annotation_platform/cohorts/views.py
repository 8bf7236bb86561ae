"""Cohort pages: select cases into a cohort, then assign them by hand or balanced."""

from collections import Counter
from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from annotation_platform.accounts.models import User
from annotation_platform.annotations.models import Case
from annotation_platform.cohorts.models import Cohort
from annotation_platform.cohorts.services import (
    case_assign,
    case_assign_check,
    case_set_due_date,
    cases_matching,
    cohort_assign_balanced,
    cohort_create,
    qualified_annotators,
)
from annotation_platform.errors import ActionableError, gettext_noop
from annotation_platform.projects.selectors import access_project_as_admin


class SelectionForm(forms.Form):
    states = forms.MultipleChoiceField(
        label=gettext_lazy("States"),
        choices=Case.State.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    complete_only = forms.BooleanField(
        label=gettext_lazy("Only studies with every required sequence"),
        required=False,
        initial=True,
    )
    minimum_quality = forms.TypedChoiceField(
        label=gettext_lazy("Minimum image quality"),
        coerce=int,
        empty_value=None,
        required=False,
        choices=[("", gettext_lazy("Any")), (2, "2"), (3, "3")],
    )
    unassigned_only = forms.BooleanField(
        label=gettext_lazy("Only unassigned cases"), required=False
    )
    without_cohort = forms.BooleanField(
        label=gettext_lazy("Only cases in no cohort yet"), required=False, initial=True
    )


class CohortForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Cohort name"), max_length=200)
    due_date = forms.DateField(
        label=gettext_lazy("Due date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


def _project(request: HttpRequest, project_id: int):  # noqa: ANN202
    try:
        return access_project_as_admin(request.user, project_id)
    except ActionableError as error:
        raise PermissionDenied(error.localized()) from None


@login_required
def cohort_list(request: HttpRequest, project_id: int) -> HttpResponse:
    project = _project(request, project_id)
    data = request.POST if request.method == "POST" else (request.GET or None)
    selection = SelectionForm(data, initial={"complete_only": True, "without_cohort": True})
    cohort_form = CohortForm(request.POST or None)
    candidates = None
    if selection.is_bound and selection.is_valid():
        candidates = list(cases_matching(project, **selection.cleaned_data))
    if request.method == "POST" and cohort_form.is_valid() and candidates is not None:
        try:
            cohort = cohort_create(
                project=project,
                name=cohort_form.cleaned_data["name"],
                cases=candidates,
                created_by=request.user,
                selection={k: v for k, v in selection.cleaned_data.items()},
                due_date=cohort_form.cleaned_data["due_date"],
            )
        except ActionableError as error:
            messages.error(request, error.localized())
        else:
            messages.success(
                request,
                _("Cohort %(name)s created with %(count)s cases.")
                % {"name": cohort.name, "count": len(candidates)},
            )
            return redirect("cohorts:cohort-detail", cohort_id=cohort.pk)
    return render(
        request,
        "cohorts/cohort_list.html",
        {
            "project": project,
            "cohorts": project.cohorts.all(),
            "selection": selection,
            "cohort_form": cohort_form,
            "candidates": candidates,
        },
    )


@login_required
def cohort_detail(request: HttpRequest, cohort_id: int) -> HttpResponse:
    cohort = Cohort.objects.filter(pk=cohort_id).select_related("project__protocol_version").first()
    if cohort is None:
        raise PermissionDenied
    _project(request, cohort.project_id)
    annotators = qualified_annotators(cohort.project)
    if request.method == "POST":
        try:
            _assign(request, cohort, annotators)
        except ActionableError as error:
            messages.error(request, error.localized())
        else:
            messages.success(request, _("Assignments saved."))
        return redirect("cohorts:cohort-detail", cohort_id=cohort.pk)
    cases = list(cohort.cases.select_related("study__patient", "assignee", "latest_version"))
    per_state = Counter(case.state for case in cases)
    return render(
        request,
        "cohorts/cohort_detail.html",
        {
            "cohort": cohort,
            "cases": cases,
            "annotators": annotators,
            "approved_count": per_state[Case.State.APPROVED],
            "state_counts": [(state, per_state[state]) for state in Case.State if per_state[state]],
        },
    )


def _assign(request: HttpRequest, cohort: Cohort, annotators: list[User]) -> None:
    """Apply the balanced or the manual assignment form as one transaction: all or nothing."""
    by_id = {user.pk: user for user in annotators}
    with transaction.atomic():
        if request.POST.get("mode") == "balanced":
            chosen = [
                _annotator(by_id, value, cohort) for value in request.POST.getlist("annotators")
            ]
            cohort_assign_balanced(
                cohort=cohort,
                annotators=chosen,
                assigned_by=request.user,
                due_date=_due_date(request.POST.get("due_date", "")),
                reassign=bool(request.POST.get("reassign")),
            )
            return
        shared_due = _due_date(request.POST.get("due_date", ""))
        for case in cohort.cases.all():
            value = request.POST.get(f"case-{case.pk}", "")
            # A row's own date field wins over the shared one, and an emptied field clears it.
            row_field = f"due-{case.pk}"
            has_row_due = row_field in request.POST
            due = _due_date(request.POST[row_field]) if has_row_due else shared_due
            if value and value != str(case.assignee_id):
                annotator = _annotator(by_id, value, cohort)
                case_assign(case=case, annotator=annotator, assigned_by=request.user, due_date=due)
                if has_row_due and due is None:
                    case_set_due_date(case=case, due_date=None, changed_by=request.user)
            elif has_row_due:
                case_set_due_date(case=case, due_date=due, changed_by=request.user)


def _annotator(by_id: dict[int, User], value: str, cohort: Cohort) -> User:
    """Return the qualified annotator a form value names, or raise a user-readable error."""
    user = by_id.get(int(value)) if value.isdigit() else None
    if user is None:
        user = User.objects.filter(pk=int(value)).first() if value.isdigit() else None
        if user is None:
            raise ActionableError(
                "USER_NOT_FOUND",
                gettext_noop("User %(user_id)s does not exist. Reload the page and choose again."),
                user_id=value[:40],
            )
        # Raises NOT_AN_ANNOTATOR or NOT_QUALIFIED_FOR_ROLE with the reason.
        case_assign_check(cohort.project, user)
    return user


def _due_date(value: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ActionableError(
            "DUE_DATE_INVALID",
            gettext_noop("%(value)s is not a date. Enter the due date as YYYY-MM-DD."),
            value=value[:40],
        ) from None
