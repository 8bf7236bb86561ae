"""Worklist, dashboard and audit pages."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy

from annotation_platform.errors import ActionableError
from annotation_platform.projects.models import Membership
from annotation_platform.projects.selectors import access_project_as_admin, projects_administered_by
from annotation_platform.worklists.selectors import audit_events_for, dashboard_for, worklist_for


@login_required
def worklist(request: HttpRequest) -> HttpResponse:
    sections = worklist_for(request.user)
    roles = set(Membership.objects.filter(user=request.user).values_list("role", flat=True))
    own_cases = any(sections[key] for key in ("to_annotate", "rejected", "submitted", "done"))
    show_annotation = Membership.Role.ANNOTATOR in roles or own_cases
    show_review = Membership.Role.REVIEWER in roles or bool(sections["to_review"])
    if not (show_annotation or show_review):
        show_annotation = show_review = True
    return render(
        request,
        "worklists/worklist.html",
        {
            "sections": sections,
            "show_annotation": show_annotation,
            "show_review": show_review,
            # A date, because the template compares it with each case's due date.
            "today": timezone.localdate(),
        },
    )


@login_required
def dashboard(request: HttpRequest, project_id: int) -> HttpResponse:
    try:
        project = access_project_as_admin(request.user, project_id)
    except ActionableError as error:
        raise PermissionDenied(error.localized()) from None
    figures = dashboard_for(project)
    peak = max([row["approved"] for row in figures["throughput"]] or [1])
    bars = []
    for index, row in enumerate(figures["throughput"]):
        height = round(55 * row["approved"] / peak, 1)
        bars.append({**row, "x": index * 12, "y": 58 - height, "height": height})
    return render(
        request,
        "worklists/dashboard.html",
        {"figures": figures, "bars": bars, "chart_width": max(len(bars) * 12, 12)},
    )


@login_required
def audit_trail(request: HttpRequest) -> HttpResponse:
    projects = projects_administered_by(request.user)
    if not projects.exists():
        raise PermissionDenied
    project_id = request.GET.get("project", "")
    target = request.GET.get("target", "")
    events = list(
        audit_events_for(
            request.user,
            project_id=int(project_id) if project_id.isdigit() else None,
            target=target,
        )[:500]
    )
    for event in events:
        event.label = AUDIT_ACTION_LABELS.get(event.action, event.action)
    return render(
        request,
        "worklists/audit.html",
        {"events": events, "projects": projects, "selected_project": project_id, "target": target},
    )


# Readable names of the audit actions. The page shows the stored code beside each name.
AUDIT_ACTION_LABELS = {
    "case.created": gettext_lazy("Case created"),
    "case.assigned": gettext_lazy("Case assigned"),
    "case.due_date_changed": gettext_lazy("Due date changed"),
    "case.state_changed": gettext_lazy("Case state changed"),
    "cohort.created": gettext_lazy("Cohort created"),
    "mask.saved": gettext_lazy("Mask version saved"),
    "quality.graded": gettext_lazy("Image quality graded"),
    "membership.added": gettext_lazy("Member added"),
    "membership.removed": gettext_lazy("Member removed"),
    "qualification.changed": gettext_lazy("Experience changed"),
    "qualification.evidence_added": gettext_lazy("Experience evidence added"),
    "export.requested": gettext_lazy("Export requested"),
    "export.written": gettext_lazy("Export written"),
    "export.downloaded": gettext_lazy("Export downloaded"),
}
