"""Exports API: request an export of approved cases, follow it, download the zip."""

from typing import Any

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotation_platform.core.models import Job
from annotation_platform.core.presenters import job_as_dict
from annotation_platform.core.storage import object_storage
from annotation_platform.errors import ConflictError, NotFoundError, gettext_noop
from annotation_platform.exports.models import Export
from annotation_platform.exports.services import export_downloaded, export_request
from annotation_platform.projects.selectors import access_project_as_admin


def export_as_dict(export: Export) -> dict[str, Any]:
    job = Job.objects.filter(group=export.job_group).first()
    return {
        "id": export.pk,
        "project": export.project_id,
        "format": export.format,
        "convention": export.convention,
        "created_at": export.created_at.isoformat(),
        "case_count": export.case_count,
        "size_bytes": export.size_bytes,
        "sha256": export.sha256,
        "summary": export.summary,
        "ready": bool(export.object_key),
        "job": job_as_dict(job) if job else None,
    }


def _access_export(user: Any, export_id: int) -> Export:
    export = Export.objects.filter(pk=export_id).select_related("project").first()
    if export is None:
        raise NotFoundError(
            "EXPORT_NOT_FOUND",
            gettext_noop("Export %(export_id)s does not exist."),
            export_id=export_id,
        )
    access_project_as_admin(user, export.project_id)
    return export


class ExportListCreateApi(APIView):
    class ExportCreateInput(serializers.Serializer):
        format = serializers.ChoiceField(choices=Export.Format.values)
        convention = serializers.CharField(default="brats-2023")

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, project_id: int) -> Response:
        project = access_project_as_admin(request.user, project_id)
        return Response([export_as_dict(export) for export in project.exports.all()[:100]])

    @extend_schema(request=ExportCreateInput, responses={202: OpenApiTypes.OBJECT})
    def post(self, request: Request, project_id: int) -> Response:
        project = access_project_as_admin(request.user, project_id)
        data = self.ExportCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        export = export_request(
            project=project,
            export_format=data.validated_data["format"],
            convention=data.validated_data["convention"],
            user=request.user,
        )
        return Response(export_as_dict(export), status=status.HTTP_202_ACCEPTED)


class ExportDetailApi(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, export_id: int) -> Response:
        return Response(export_as_dict(_access_export(request.user, export_id)))


class ExportDownloadApi(APIView):
    @extend_schema(responses={(200, "application/zip"): OpenApiTypes.BINARY})
    def get(self, request: Request, export_id: int) -> FileResponse:
        export = _access_export(request.user, export_id)
        if not export.object_key:
            raise ConflictError(
                "EXPORT_NOT_READY",
                gettext_noop(
                    "Export %(export_id)s is still being written; download it when it is ready."
                ),
                export_id=export.pk,
            )
        export_downloaded(export=export, user=request.user)
        response = FileResponse(
            object_storage().open(export.object_key, "rb"),
            content_type="application/zip",
            as_attachment=True,
            filename=export.file_name,
        )
        response["X-Checksum-SHA256"] = export.sha256
        return response
