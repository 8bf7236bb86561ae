"""Case workflow API: submit, recall, exclude, review, decide, comments, assign, heartbeat."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotation_platform.accounts.models import User
from annotation_platform.annotations.models import Case
from annotation_platform.annotations.presenters import case_as_dict
from annotation_platform.annotations.selectors import access_case
from annotation_platform.cohorts.services import case_assign
from annotation_platform.errors import NotFoundError, PermissionDeniedError, gettext_noop
from annotation_platform.projects.selectors import user_is_project_admin
from annotation_platform.review.models import ReviewComment
from annotation_platform.review.presenters import comment_as_dict, decision_as_dict
from annotation_platform.review.services import (
    case_exclude,
    case_include,
    case_recall,
    case_record_time,
    case_submit,
    require_assignee,
    require_assignee_or_admin,
    require_reviewer,
    review_decide,
    review_start,
)

# The longest gap between two viewer heartbeats that still counts as time spent, in seconds.
HEARTBEAT_MAX_S = 120


def _require_admin(user: User, case: Case) -> None:
    if not user_is_project_admin(user, case.project):
        raise PermissionDeniedError(
            "PROJECT_ADMIN_REQUIRED",
            gettext_noop(
                "Only an admin of project %(project)s can do this. Ask one of its admins."
            ),
            project=case.project.name,
        )


class CaseSubmitApi(APIView):
    class CaseSubmitInput(serializers.Serializer):
        version = serializers.IntegerField(help_text="The id of the mask version submitted.")
        checklist = serializers.DictField(child=serializers.BooleanField())

    @extend_schema(request=CaseSubmitInput, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request, case_id: int) -> Response:
        case = access_case(request.user, case_id)
        require_assignee(case, request.user)
        data = self.CaseSubmitInput(data=request.data)
        data.is_valid(raise_exception=True)
        case_submit(
            case=case,
            user=request.user,
            version_id=data.validated_data["version"],
            checklist=data.validated_data["checklist"],
        )
        return Response(case_as_dict(Case.objects.get(pk=case.pk)))


class CaseRecallApi(APIView):
    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request, case_id: int) -> Response:
        case = case_recall(case=access_case(request.user, case_id), user=request.user)
        return Response(case_as_dict(case))


class CaseExcludeApi(APIView):
    class CaseExcludeInput(serializers.Serializer):
        reason = serializers.CharField(help_text="A scope exclusion key of the protocol.")
        note = serializers.CharField(required=False, allow_blank=True, default="")

    @extend_schema(request=CaseExcludeInput, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request, case_id: int) -> Response:
        case = access_case(request.user, case_id)
        require_assignee_or_admin(case, request.user)
        data = self.CaseExcludeInput(data=request.data)
        data.is_valid(raise_exception=True)
        case = case_exclude(
            case=case,
            user=request.user,
            reason=data.validated_data["reason"],
            note=data.validated_data["note"],
        )
        return Response(case_as_dict(case))


class CaseIncludeApi(APIView):
    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request, case_id: int) -> Response:
        case = access_case(request.user, case_id)
        _require_admin(request.user, case)
        return Response(case_as_dict(case_include(case=case, user=request.user)))


class ReviewStartApi(APIView):
    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request, case_id: int) -> Response:
        case = review_start(case=access_case(request.user, case_id), reviewer=request.user)
        return Response(case_as_dict(case))


class ReviewDecisionApi(APIView):
    class ReviewDecisionCommentInput(serializers.Serializer):
        region = serializers.CharField()
        axis = serializers.ChoiceField(choices=ReviewComment.Axis.values, default="axial")
        point_ijk = serializers.ListField(
            child=serializers.IntegerField(), min_length=3, max_length=3
        )
        text = serializers.CharField()

    class ReviewDecisionInput(serializers.Serializer):
        decision = serializers.ChoiceField(choices=["approved", "rejected"])
        version = serializers.IntegerField(help_text="The id of the mask version reviewed.")
        summary = serializers.CharField(required=False, allow_blank=True, default="")
        comments = serializers.ListField(required=False, default=list)

    @extend_schema(request=ReviewDecisionInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request, case_id: int) -> Response:
        case = access_case(request.user, case_id)
        require_reviewer(case, request.user)
        data = self.ReviewDecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        comments = self.ReviewDecisionCommentInput(data=data.validated_data["comments"], many=True)
        comments.is_valid(raise_exception=True)
        decision = review_decide(
            case=case,
            reviewer=request.user,
            decision=data.validated_data["decision"],
            version_id=data.validated_data["version"],
            summary=data.validated_data["summary"],
            comments=[dict(comment) for comment in comments.validated_data],
        )
        return Response(decision_as_dict(decision), status=status.HTTP_201_CREATED)


class CaseCommentListApi(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, case_id: int) -> Response:
        case = access_case(request.user, case_id)
        comments = case.comments.select_related("decision__reviewer", "decision__version")
        return Response([comment_as_dict(comment) for comment in comments])


class CaseDecisionListApi(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, case_id: int) -> Response:
        case = access_case(request.user, case_id)
        decisions = case.decisions.select_related("reviewer", "version").prefetch_related(
            "comments__decision__reviewer", "comments__decision__version"
        )
        return Response([decision_as_dict(decision) for decision in decisions])


class CaseAssignApi(APIView):
    class CaseAssignInput(serializers.Serializer):
        assignee = serializers.IntegerField()
        due_date = serializers.DateField(required=False, allow_null=True, default=None)

    @extend_schema(request=CaseAssignInput, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request, case_id: int) -> Response:
        case = access_case(request.user, case_id)
        _require_admin(request.user, case)
        data = self.CaseAssignInput(data=request.data)
        data.is_valid(raise_exception=True)
        annotator = User.objects.filter(pk=data.validated_data["assignee"]).first()
        if annotator is None:
            raise NotFoundError(
                "USER_NOT_FOUND",
                gettext_noop("User %(user_id)s does not exist."),
                user_id=data.validated_data["assignee"],
            )
        case = case_assign(
            case=case,
            annotator=annotator,
            assigned_by=request.user,
            due_date=data.validated_data["due_date"],
        )
        return Response(case_as_dict(case))


class CaseHeartbeatApi(APIView):
    """The viewer reports the seconds since its last heartbeat while its tab is visible."""

    class CaseHeartbeatInput(serializers.Serializer):
        seconds = serializers.IntegerField(min_value=0)

    @extend_schema(request=CaseHeartbeatInput, responses={204: None})
    def post(self, request: Request, case_id: int) -> Response:
        case = access_case(request.user, case_id)
        data = self.CaseHeartbeatInput(data=request.data)
        data.is_valid(raise_exception=True)
        seconds = min(data.validated_data["seconds"], HEARTBEAT_MAX_S)
        case_record_time(case=case, user=request.user, seconds=seconds)
        return Response(status=status.HTTP_204_NO_CONTENT)
