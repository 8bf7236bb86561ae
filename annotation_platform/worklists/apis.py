"""Worklists, the admin dashboard and the audit trail through the API."""

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotation_platform.annotations.presenters import case_as_dict
from annotation_platform.core.models import AuditEvent
from annotation_platform.errors import PermissionDeniedError, gettext_noop
from annotation_platform.projects.selectors import access_project_as_admin, projects_administered_by
from annotation_platform.worklists.selectors import audit_events_for, dashboard_for, worklist_for


def event_as_dict(event: AuditEvent) -> dict[str, Any]:
    return {
        "id": event.pk,
        "created_at": event.created_at.isoformat(),
        "actor": event.actor.username if event.actor else None,
        "action": event.action,
        "project": event.project_id,
        "target": event.target,
        "details": event.details,
    }


class WorklistApi(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        sections = worklist_for(request.user)
        return Response(
            {name: [case_as_dict(case) for case in cases] for name, cases in sections.items()}
        )


class DashboardApi(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, project_id: int) -> Response:
        figures = dashboard_for(access_project_as_admin(request.user, project_id))
        return Response(
            {
                "project": project_id,
                "total": figures["total"],
                "per_state": {state: count for state, _, count in figures["per_state"]},
                "per_annotator": figures["per_annotator"],
                "per_reviewer": figures["per_reviewer"],
                "throughput": [
                    {"week": row["week"].date().isoformat(), "approved": row["approved"]}
                    for row in figures["throughput"]
                ],
                "mean_annotation_minutes": round(figures["mean_annotation_minutes"], 1),
                "mean_review_minutes": round(figures["mean_review_minutes"], 1),
                "overdue": [case_as_dict(case) for case in figures["overdue"]],
            }
        )


class AuditEventListApi(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("project", int), OpenApiParameter("target", str)],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request) -> Response:
        if not projects_administered_by(request.user).exists():
            raise PermissionDeniedError(
                "PROJECT_ADMIN_REQUIRED",
                gettext_noop("Only project admins can read the audit trail."),
            )
        project = request.query_params.get("project", "")
        events = audit_events_for(
            request.user,
            project_id=int(project) if project.isdigit() else None,
            target=request.query_params.get("target", ""),
        )
        return Response([event_as_dict(event) for event in events[:1000]])
