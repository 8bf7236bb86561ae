"""Cohort pages: select cases into a cohort, then assign them by hand or balanced."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from annotation_platform.accounts.models import User
from annotation_platform.annotations.models import Case
from annotation_platform.cohorts.models import Cohort
from annotation_platform.cohorts.services import (
    case_assign,
    cases_matching,
    cohort_assign_balanced,
    cohort_create,
    qualified_annotators,
)
from annotation_platform.errors import ActionableError
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
    cases = cohort.cases.select_related("study__patient", "assignee", "latest_version")
    return render(
        request,
        "cohorts/cohort_detail.html",
        {"cohort": cohort, "cases": cases, "annotators": annotators},
    )


def _assign(request: HttpRequest, cohort: Cohort, annotators: list[User]) -> None:
    due = forms.DateField(required=False).clean(request.POST.get("due_date") or None)
    by_id = {user.pk: user for user in annotators}
    if request.POST.get("mode") == "balanced":
        chosen = [by_id[int(v)] for v in request.POST.getlist("annotators") if int(v) in by_id]
        cohort_assign_balanced(
            cohort=cohort,
            annotators=chosen,
            assigned_by=request.user,
            due_date=due,
            reassign=bool(request.POST.get("reassign")),
        )
        return
    for case in cohort.cases.all():
        value = request.POST.get(f"case-{case.pk}", "")
        if value.isdigit() and int(value) != case.assignee_id:
            annotator = by_id.get(int(value)) or User.objects.get(pk=int(value))
            case_assign(case=case, annotator=annotator, assigned_by=request.user, due_date=due)
