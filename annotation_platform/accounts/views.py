"""Project members and their verified experience."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from annotation_platform.accounts.models import User
from annotation_platform.accounts.qualifications import qualification_for
from annotation_platform.accounts.services import (
    experience_evidence_attach,
    experience_record,
    membership_add,
    membership_remove,
)
from annotation_platform.errors import ActionableError, NotFoundError, gettext_noop
from annotation_platform.projects.models import Membership
from annotation_platform.projects.selectors import access_project_as_admin


class MemberForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("User name"))
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Membership.Role.choices)


class ExperienceForm(forms.Form):
    user = forms.IntegerField(widget=forms.HiddenInput)
    practice_started_on = forms.DateField(
        label=gettext_lazy("Clinical practice began on"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    note = forms.CharField(
        label=gettext_lazy("Note on the evidence"), required=False, max_length=300
    )
    evidence = forms.FileField(label=gettext_lazy("Evidence (PDF, PNG or JPEG)"), required=False)


@login_required
def members(request: HttpRequest, project_id: int) -> HttpResponse:
    try:
        project = access_project_as_admin(request.user, project_id)
    except ActionableError as error:
        raise PermissionDenied(error.localized()) from None
    if request.method == "POST":
        _handle_post(request, project)
        return redirect("accounts:members", project_id=project.pk)
    definition = project.protocol_version.definition
    rows = []
    for membership in project.memberships.select_related("user__experience_verified_by").order_by(
        "user__username", "role"
    ):
        check = (
            qualification_for(membership.user, membership.role, definition)
            if membership.role != "admin"
            else None
        )
        rows.append({"membership": membership, "check": check})
    return render(
        request,
        "accounts/members.html",
        {
            "project": project,
            "rows": rows,
            "member_form": MemberForm(),
            "thresholds": definition["experience_years"],
        },
    )


def _handle_post(request: HttpRequest, project: object) -> None:
    action = request.POST.get("action")
    try:
        if action == "add":
            form = MemberForm(request.POST)
            if not form.is_valid():
                raise ActionableError("FORM_INVALID", "%(errors)s", errors=form.errors.as_text())
            user = User.objects.filter(username=form.cleaned_data["username"]).first()
            if user is None:
                messages.error(
                    request,
                    _("No user is named %(name)s.") % {"name": form.cleaned_data["username"]},
                )
                return
            membership_add(
                project=project, user=user, role=form.cleaned_data["role"], added_by=request.user
            )  # type: ignore[arg-type]
        elif action == "remove":
            membership_remove(
                membership=_membership(project, request.POST.get("membership", "")),
                removed_by=request.user,
            )
        elif action == "verify":
            form = ExperienceForm(request.POST, request.FILES)
            if not form.is_valid():
                raise ActionableError("FORM_INVALID", "%(errors)s", errors=form.errors.as_text())
            user = User.objects.filter(pk=form.cleaned_data["user"]).first()
            if user is None:
                raise NotFoundError(
                    "USER_NOT_FOUND",
                    gettext_noop("User %(user_id)s does not exist. Reload the page and try again."),
                    user_id=form.cleaned_data["user"],
                )
            experience_record(
                user=user,
                practice_started_on=form.cleaned_data["practice_started_on"],
                verified_by=request.user,
                note=form.cleaned_data["note"],
            )
            if form.cleaned_data["evidence"]:
                evidence = form.cleaned_data["evidence"]
                experience_evidence_attach(
                    user=user, admin=request.user, name=evidence.name, stream=evidence
                )
    except ActionableError as error:
        messages.error(request, error.localized())
        return
    messages.success(request, _("Saved."))


def _membership(project: object, value: str) -> Membership:
    membership = None
    if value.isdigit():
        membership = Membership.objects.filter(pk=int(value), project=project).first()
    if membership is None:
        raise NotFoundError(
            "MEMBERSHIP_NOT_FOUND",
            gettext_noop(
                "Membership %(membership)s is not in this project. Someone may have removed it "
                "already, so reload the page."
            ),
            membership=value[:40],
        )
    return membership
