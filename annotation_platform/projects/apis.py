"""Projects API: list, create, read and update projects with their ethics approval."""

from typing import Any

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotation_platform.errors import PermissionDeniedError, gettext_noop
from annotation_platform.projects.models import Project
from annotation_platform.projects.selectors import (
    access_project_as_admin,
    projects_visible_to,
    user_can_create_projects,
)
from annotation_platform.projects.services import project_create, project_irb_document_attach
from annotation_platform.protocols.models import ProtocolVersion


class ProjectOutput(serializers.ModelSerializer):
    protocol = serializers.SerializerMethodField()
    irb_valid = serializers.SerializerMethodField()
    irb_document = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = [
            "id",
            "name",
            "description",
            "protocol",
            "pseudonym_prefix",
            "retain_patient_characteristics",
            "irb_number",
            "irb_body",
            "irb_valid_until",
            "irb_valid",
            "irb_document",
            "created_at",
        ]

    def get_protocol(self, project: Project) -> dict[str, str]:
        version = project.protocol_version
        return {"key": version.protocol.key, "version": version.version}

    def get_irb_valid(self, project: Project) -> bool:
        return project.irb_is_valid()

    def get_irb_document(self, project: Project) -> bool:
        return bool(project.irb_document_key)


class ProjectListCreateApi(APIView):
    class ProjectListCreateInput(serializers.Serializer):
        name = serializers.CharField(max_length=200)
        description = serializers.CharField(required=False, allow_blank=True, default="")
        protocol_key = serializers.CharField(default="cns-tumour")
        protocol_version = serializers.CharField(required=False, default="")
        pseudonym_prefix = serializers.RegexField(r"^[A-Za-z][A-Za-z0-9]{0,7}$", default="PAT")
        retain_patient_characteristics = serializers.BooleanField(default=False)
        irb_number = serializers.CharField(required=False, allow_blank=True, default="")
        irb_body = serializers.CharField(required=False, allow_blank=True, default="")
        irb_valid_until = serializers.DateField(required=False, allow_null=True, default=None)

    @extend_schema(responses=ProjectOutput(many=True))
    def get(self, request: Request) -> Response:
        projects = projects_visible_to(request.user).select_related("protocol_version__protocol")
        return Response(ProjectOutput(projects, many=True).data)

    @extend_schema(request=ProjectListCreateInput, responses={201: ProjectOutput})
    def post(self, request: Request) -> Response:
        if not user_can_create_projects(request.user):
            raise PermissionDeniedError(
                "PROJECT_CREATE_FORBIDDEN",
                gettext_noop("Only site administrators can create projects."),
            )
        data = self.ProjectListCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values: dict[str, Any] = dict(data.validated_data)
        versions = ProtocolVersion.objects.filter(protocol__key=values.pop("protocol_key"))
        wanted = values.pop("protocol_version")
        version = (
            (versions.filter(version=wanted) if wanted else versions)
            .order_by("-published_at")
            .first()
        )
        if version is None:
            raise serializers.ValidationError({"protocol_key": "unknown protocol or version"})
        with transaction.atomic():
            project = project_create(protocol_version=version, created_by=request.user, **values)
        return Response(ProjectOutput(project).data, status=status.HTTP_201_CREATED)


class ProjectDetailApi(APIView):
    class ProjectDetailInput(serializers.Serializer):
        name = serializers.CharField(max_length=200, required=False)
        description = serializers.CharField(required=False, allow_blank=True)
        retain_patient_characteristics = serializers.BooleanField(required=False)
        irb_number = serializers.CharField(required=False, allow_blank=True)
        irb_body = serializers.CharField(required=False, allow_blank=True)
        irb_valid_until = serializers.DateField(required=False, allow_null=True)

    @extend_schema(responses=ProjectOutput)
    def get(self, request: Request, project_id: int) -> Response:
        project = access_project_as_admin(request.user, project_id)
        return Response(ProjectOutput(project).data)

    @extend_schema(request=ProjectDetailInput, responses=ProjectOutput)
    def patch(self, request: Request, project_id: int) -> Response:
        project = access_project_as_admin(request.user, project_id)
        data = self.ProjectDetailInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        for field, value in data.validated_data.items():
            setattr(project, field, value)
        project.full_clean()
        project.save()
        return Response(ProjectOutput(project).data)


class ProjectIrbDocumentApi(APIView):
    parser_classes = [MultiPartParser]

    class ProjectIrbDocumentInput(serializers.Serializer):
        document = serializers.FileField()

    @extend_schema(
        request={"multipart/form-data": ProjectIrbDocumentInput}, responses=ProjectOutput
    )
    def put(self, request: Request, project_id: int) -> Response:
        project = access_project_as_admin(request.user, project_id)
        data = self.ProjectIrbDocumentInput(data=request.data)
        data.is_valid(raise_exception=True)
        document = data.validated_data["document"]
        project_irb_document_attach(project=project, name=document.name, stream=document)
        return Response(ProjectOutput(project).data)
