"""People API: users' verified experience and their roles in projects."""

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotation_platform.accounts.models import User
from annotation_platform.accounts.qualifications import qualification_for
from annotation_platform.accounts.services import (
    experience_evidence_attach,
    experience_record,
    membership_add,
    membership_remove,
    user_can_verify,
)
from annotation_platform.errors import NotFoundError, PermissionDeniedError, gettext_noop
from annotation_platform.projects.models import Membership
from annotation_platform.projects.selectors import access_project_as_admin, projects_administered_by


def user_as_dict(user: User, definition: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": user.pk,
        "username": user.username,
        "name": user.get_full_name(),
        "practice_started_on": user.practice_started_on.isoformat()
        if user.practice_started_on
        else None,
        "experience_years": round(user.experience_years(), 1),
        "experience_verified": user.experience_verified_by_id is not None,
        "experience_verified_by": user.experience_verified_by.username
        if user.experience_verified_by
        else None,
        "experience_verified_at": user.experience_verified_at.isoformat()
        if user.experience_verified_at
        else None,
        "has_evidence": bool(user.experience_evidence_key),
    }
    if definition is not None:
        body["qualifications"] = {
            role: {"qualified": q.qualified, "reason": q.reason}
            for role in ("annotator", "reviewer")
            for q in [qualification_for(user, role, definition)]
        }
    return body


def _access_user(admin: User, user_id: int) -> User:
    user = User.objects.filter(pk=user_id).select_related("experience_verified_by").first()
    if user is None or not user_can_verify(admin, user):
        # Users outside the caller's projects get the same error, so an id reveals nothing.
        raise NotFoundError(
            "USER_NOT_FOUND",
            gettext_noop(
                "User %(user_id)s does not exist or is not in a project you administer. Only a "
                "project admin can change or verify experience."
            ),
            user_id=user_id,
        )
    return user


class PeopleListApi(APIView):
    """Users in the projects the caller administers (every user for a site admin)."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        if request.user.is_superuser or request.user.is_staff:
            users = User.objects.all()
        else:
            users = User.objects.filter(
                memberships__project__in=projects_administered_by(request.user)
            ).distinct()
        if not users.exists() and not projects_administered_by(request.user).exists():
            raise PermissionDeniedError(
                "PROJECT_ADMIN_REQUIRED",
                gettext_noop(
                    "Only project admins can list people and their experience. Ask an admin of "
                    "your project."
                ),
            )
        users = users.select_related("experience_verified_by").order_by("username")
        return Response([user_as_dict(user) for user in users])


class ExperienceApi(APIView):
    class ExperienceInput(serializers.Serializer):
        practice_started_on = serializers.DateField()
        note = serializers.CharField(required=False, allow_blank=True, default="")

    @extend_schema(request=ExperienceInput, responses=OpenApiTypes.OBJECT)
    def put(self, request: Request, user_id: int) -> Response:
        user = _access_user(request.user, user_id)
        data = self.ExperienceInput(data=request.data)
        data.is_valid(raise_exception=True)
        experience_record(
            user=user,
            practice_started_on=data.validated_data["practice_started_on"],
            verified_by=request.user,
            note=data.validated_data["note"],
        )
        return Response(user_as_dict(user))


class ExperienceEvidenceApi(APIView):
    parser_classes = [MultiPartParser]

    class ExperienceEvidenceInput(serializers.Serializer):
        document = serializers.FileField()

    @extend_schema(
        request={"multipart/form-data": ExperienceEvidenceInput}, responses=OpenApiTypes.OBJECT
    )
    def put(self, request: Request, user_id: int) -> Response:
        user = _access_user(request.user, user_id)
        data = self.ExperienceEvidenceInput(data=request.data)
        data.is_valid(raise_exception=True)
        document = data.validated_data["document"]
        experience_evidence_attach(
            user=user, admin=request.user, name=document.name, stream=document
        )
        return Response(user_as_dict(user))


def membership_as_dict(membership: Membership, definition: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": membership.pk,
        "role": membership.role,
        "user": user_as_dict(membership.user, definition),
    }


class MemberListCreateApi(APIView):
    class MemberListCreateInput(serializers.Serializer):
        user = serializers.IntegerField()
        role = serializers.ChoiceField(choices=Membership.Role.values)

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, project_id: int) -> Response:
        project = access_project_as_admin(request.user, project_id)
        definition = project.protocol_version.definition
        members = project.memberships.select_related("user__experience_verified_by")
        return Response([membership_as_dict(m, definition) for m in members])

    @extend_schema(request=MemberListCreateInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request, project_id: int) -> Response:
        project = access_project_as_admin(request.user, project_id)
        data = self.MemberListCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = User.objects.filter(pk=data.validated_data["user"]).first()
        if user is None:
            raise NotFoundError(
                "USER_NOT_FOUND",
                gettext_noop("User %(user_id)s does not exist."),
                user_id=data.validated_data["user"],
            )
        membership = membership_add(
            project=project, user=user, role=data.validated_data["role"], added_by=request.user
        )
        return Response(
            membership_as_dict(membership, project.protocol_version.definition),
            status=status.HTTP_201_CREATED,
        )


class MemberDetailApi(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request: Request, project_id: int, membership_id: int) -> Response:
        project = access_project_as_admin(request.user, project_id)
        membership = project.memberships.filter(pk=membership_id).first()
        if membership is None:
            raise NotFoundError(
                "MEMBERSHIP_NOT_FOUND",
                gettext_noop("Membership %(membership_id)s does not exist in this project."),
                membership_id=membership_id,
            )
        membership_remove(membership=membership, removed_by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
