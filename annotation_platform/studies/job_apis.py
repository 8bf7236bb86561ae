"""Background jobs API: progress and errors of the jobs of a study or upload, and retry."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotation_platform.core.presenters import job_as_dict
from annotation_platform.studies.selectors import jobs_for_group
from annotation_platform.studies.services.jobs import access_job_as_admin, job_retry


class JobOutput(serializers.Serializer):
    """A background job as the pages and scripts show it."""

    id = serializers.IntegerField()
    kind = serializers.CharField()
    kind_display = serializers.CharField()
    group = serializers.CharField()
    state = serializers.ChoiceField(choices=["queued", "running", "succeeded", "failed"])
    state_display = serializers.CharField()
    attempts = serializers.IntegerField()
    max_attempts = serializers.IntegerField()
    progress = serializers.FloatField()
    stage = serializers.CharField()
    stage_display = serializers.CharField()
    error = serializers.JSONField(allow_null=True)
    error_display = serializers.CharField()
    warnings = serializers.ListField(child=serializers.CharField())
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)


class JobListApi(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("group", str, description='"study:<id>" or "upload:<id>"')],
        responses=JobOutput(many=True),
    )
    def get(self, request: Request) -> Response:
        jobs = jobs_for_group(request.user, request.query_params.get("group", ""))
        return Response([job_as_dict(job) for job in jobs])


class JobDetailApi(APIView):
    @extend_schema(responses=JobOutput)
    def get(self, request: Request, job_id: int) -> Response:
        return Response(job_as_dict(access_job_as_admin(request.user, job_id)))


class JobRetryApi(APIView):
    @extend_schema(request=None, responses=JobOutput)
    def post(self, request: Request, job_id: int) -> Response:
        job = job_retry(access_job_as_admin(request.user, job_id), user=request.user)
        return Response(job_as_dict(job))
