"""Worklist, dashboard and audit pages."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from annotation_platform.errors import ActionableError
from annotation_platform.projects.selectors import access_project_as_admin, projects_administered_by
from annotation_platform.worklists.selectors import audit_events_for, dashboard_for, worklist_for


@login_required
def worklist(request: HttpRequest) -> HttpResponse:
    return render(request, "worklists/worklist.html", {"sections": worklist_for(request.user)})


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
    events = audit_events_for(
        request.user, project_id=int(project_id) if project_id.isdigit() else None, target=target
    )[:500]
    return render(
        request,
        "worklists/audit.html",
        {"events": events, "projects": projects, "selected_project": project_id, "target": target},
    )
