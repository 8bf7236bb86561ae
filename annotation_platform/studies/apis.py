"""Ingest and studies API: uploads, studies, series and sequence correction."""

from django.conf import settings
from django.core.exceptions import TooManyFieldsSent, TooManyFilesSent
from django.http import FileResponse, Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotation_platform.core.models import Job
from annotation_platform.core.presenters import job_as_dict
from annotation_platform.core.storage import object_storage, scratch_dir
from annotation_platform.errors import ActionableError, gettext_noop
from annotation_platform.projects.selectors import access_project_as_admin
from annotation_platform.projects.services import project_require_ingest_allowed
from annotation_platform.studies.models import Series, Study, Upload
from annotation_platform.studies.selectors import (
    access_series_as_admin,
    access_study_as_admin,
    access_upload_as_admin,
    studies_for_admin,
    uploads_for_admin,
)
from annotation_platform.studies.services.sequences import series_set_sequence
from annotation_platform.studies.services.uploads import IncomingFile, upload_receive


class UploadOutput(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    project = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Upload
        fields = [
            "id",
            "project",
            "source",
            "state",
            "file_count",
            "total_bytes",
            "summary",
            "created_at",
            "finished_at",
            "url",
        ]

    def get_url(self, upload: Upload) -> str:
        return reverse("studies:upload-detail", args=[upload.pk])


class SeriesOutput(serializers.ModelSerializer):
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = Series
        fields = [
            "id",
            "series_uid",
            "source_kind",
            "series_number",
            "modality",
            "description",
            "status",
            "file_count",
            "sequence",
            "sequence_confidence",
            "sequence_source",
            "sequence_evidence",
            "selected",
            "geometry",
            "warnings",
            "error",
            "thumbnail_url",
        ]

    def get_thumbnail_url(self, series: Series) -> str | None:
        if not series.thumbnail_key:
            return None
        return reverse("api-series-thumbnail", args=[series.pk])


class StudyOutput(serializers.ModelSerializer):
    patient = serializers.CharField(source="patient.pseudonym")
    series = SeriesOutput(many=True)
    reference_series = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Study
        fields = [
            "id",
            "project",
            "patient",
            "study_uid",
            "study_date",
            "description",
            "status",
            "missing_sequences",
            "reference_series",
            "grid",
            "alignment",
            "deidentification",
            "warnings",
            "created_at",
            "updated_at",
            "series",
        ]


def _too_large(length: int) -> ActionableError:
    limit = settings.UPLOAD_MAX_BYTES
    error = ActionableError(
        "UPLOAD_TOO_LARGE",
        gettext_noop(
            "The upload is %(size_mb)s MB, more than the limit of %(limit_mb)s MB. Split it into "
            "several uploads, or ask an administrator to use the import_studies command."
        ),
        size_mb=round(length / 1024**2, 1),
        limit_mb=round(limit / 1024**2, 1),
    )
    error.http_status = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    return error


class UploadCreateApi(APIView):
    parser_classes = [MultiPartParser]

    class UploadCreateInput(serializers.Serializer):
        files = serializers.ListField(child=serializers.FileField(), min_length=1)
        paths = serializers.ListField(
            child=serializers.CharField(allow_blank=True),
            required=False,
            help_text="The relative path of each file (same order), for folder uploads.",
        )
        subject = serializers.CharField(
            required=False,
            allow_blank=True,
            help_text="A case label for NIfTI files; hashed into a pseudonym, never stored.",
        )

    @extend_schema(
        request={"multipart/form-data": UploadCreateInput}, responses={201: UploadOutput}
    )
    def post(self, request: Request, project_id: int) -> Response:
        project = access_project_as_admin(request.user, project_id)
        # Both checks run before the body is read, so a refused upload costs no disk.
        project_require_ingest_allowed(project)
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        if length > settings.UPLOAD_MAX_BYTES:
            raise _too_large(length)
        (scratch_dir() / "incoming").mkdir(exist_ok=True)
        try:
            files = request.FILES.getlist("files")
        except (TooManyFilesSent, TooManyFieldsSent):
            raise ActionableError(
                "UPLOAD_TOO_MANY_FILES",
                gettext_noop(
                    "The upload holds more than %(limit)s files. Zip the folder and upload the "
                    "zip, or split the upload."
                ),
                limit=settings.UPLOAD_MAX_FILES,
            ) from None
        paths = request.data.getlist("paths") if hasattr(request.data, "getlist") else []
        incoming = [
            IncomingFile(
                name=(paths[index] if index < len(paths) and paths[index] else f.name), file=f
            )
            for index, f in enumerate(files)
        ]
        source = Upload.Source.API if request.auth is not None else Upload.Source.BROWSER
        upload = upload_receive(
            project=project,
            user=request.user,
            files=incoming,
            source=source,
            subject=str(request.data.get("subject", "") or ""),
        )
        return Response(UploadOutput(upload).data, status=status.HTTP_201_CREATED)


class UploadListApi(APIView):
    @extend_schema(responses=UploadOutput(many=True))
    def get(self, request: Request) -> Response:
        return Response(UploadOutput(uploads_for_admin(request.user)[:200], many=True).data)


class UploadDetailApi(APIView):
    @extend_schema(responses=UploadOutput)
    def get(self, request: Request, upload_id: int) -> Response:
        upload = access_upload_as_admin(request.user, upload_id)
        body = dict(UploadOutput(upload).data)
        body["jobs"] = [job_as_dict(job) for job in Job.objects.filter(group=f"upload:{upload.pk}")]
        return Response(body)


class StudyListApi(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("project", int),
            OpenApiParameter("status", str, enum=Study.Status.values),
        ],
        responses=StudyOutput(many=True),
    )
    def get(self, request: Request) -> Response:
        project = request.query_params.get("project", "")
        studies = studies_for_admin(
            request.user,
            project_id=int(project) if project.isdigit() else None,
            status=request.query_params.get("status", ""),
        )
        return Response(StudyOutput(studies, many=True).data)


class StudyDetailApi(APIView):
    @extend_schema(responses=StudyOutput)
    def get(self, request: Request, study_id: int) -> Response:
        study = access_study_as_admin(request.user, study_id)
        body = dict(StudyOutput(study).data)
        body["jobs"] = [job_as_dict(job) for job in Job.objects.filter(group=f"study:{study.pk}")]
        return Response(body)


class SeriesDetailApi(APIView):
    class SeriesDetailInput(serializers.Serializer):
        sequence = serializers.ChoiceField(choices=Series.Sequence.values)

    @extend_schema(responses=SeriesOutput)
    def get(self, request: Request, series_id: int) -> Response:
        return Response(SeriesOutput(access_series_as_admin(request.user, series_id)).data)

    @extend_schema(request=SeriesDetailInput, responses=SeriesOutput)
    def patch(self, request: Request, series_id: int) -> Response:
        series = access_series_as_admin(request.user, series_id)
        data = self.SeriesDetailInput(data=request.data)
        data.is_valid(raise_exception=True)
        series_set_sequence(
            series=series, sequence=data.validated_data["sequence"], user=request.user
        )
        return Response(SeriesOutput(series).data)


class SeriesThumbnailApi(APIView):
    @extend_schema(responses={(200, "image/png"): OpenApiTypes.BINARY})
    def get(self, request: Request, series_id: int) -> FileResponse:
        series = access_series_as_admin(request.user, series_id)
        if not series.thumbnail_key:
            raise Http404("no thumbnail yet")
        return FileResponse(
            object_storage().open(series.thumbnail_key, "rb"), content_type="image/png"
        )
