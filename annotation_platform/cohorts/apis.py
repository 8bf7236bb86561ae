"""Cohorts API: select cases into a cohort and assign them."""

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotation_platform.accounts.models import User
from annotation_platform.annotations.models import Case
from annotation_platform.annotations.presenters import case_as_dict
from annotation_platform.cohorts.models import Cohort
from annotation_platform.cohorts.services import (
    case_assign,
    cases_matching,
    cohort_assign_balanced,
    cohort_create,
)
from annotation_platform.errors import NotFoundError, gettext_noop
from annotation_platform.projects.selectors import access_project_as_admin


def cohort_as_dict(cohort: Cohort) -> dict[str, Any]:
    return {
        "id": cohort.pk,
        "project": cohort.project_id,
        "name": cohort.name,
        "description": cohort.description,
        "selection": cohort.selection,
        "due_date": cohort.due_date.isoformat() if cohort.due_date else None,
        "created_at": cohort.created_at.isoformat(),
        "cases": [
            case_as_dict(case) for case in cohort.cases.select_related("study__patient", "assignee")
        ],
    }


class SelectionInput(serializers.Serializer):
    states = serializers.ListField(
        child=serializers.ChoiceField(choices=Case.State.values), required=False
    )
    complete_only = serializers.BooleanField(default=True)
    minimum_quality = serializers.IntegerField(required=False, allow_null=True, default=None)
    unassigned_only = serializers.BooleanField(default=False)
    without_cohort = serializers.BooleanField(default=True)


class CohortListCreateApi(APIView):
    class CohortListCreateInput(serializers.Serializer):
        name = serializers.CharField(max_length=200)
        description = serializers.CharField(required=False, allow_blank=True, default="")
        due_date = serializers.DateField(required=False, allow_null=True, default=None)
        filters = SelectionInput(required=False, help_text="Which cases the cohort takes.")
        case_ids = serializers.ListField(child=serializers.IntegerField(), required=False)

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, project_id: int) -> Response:
        project = access_project_as_admin(request.user, project_id)
        return Response([cohort_as_dict(cohort) for cohort in project.cohorts.all()])

    @extend_schema(request=CohortListCreateInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request, project_id: int) -> Response:
        project = access_project_as_admin(request.user, project_id)
        data = self.CohortListCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        selection = SelectionInput(data=request.data.get("filters") or {})
        selection.is_valid(raise_exception=True)
        cases = cases_matching(project, **selection.validated_data)
        if values.get("case_ids"):
            cases = cases.filter(pk__in=values["case_ids"])
        cohort = cohort_create(
            project=project,
            name=values["name"],
            description=values["description"],
            cases=list(cases),
            created_by=request.user,
            selection={**selection.validated_data, "case_ids": values.get("case_ids") or None},
            due_date=values["due_date"],
        )
        return Response(cohort_as_dict(cohort), status=status.HTTP_201_CREATED)


def _access_cohort(user: Any, cohort_id: int) -> Cohort:
    cohort = Cohort.objects.filter(pk=cohort_id).select_related("project__protocol_version").first()
    if cohort is None:
        raise NotFoundError(
            "COHORT_NOT_FOUND",
            gettext_noop("Cohort %(cohort_id)s does not exist."),
            cohort_id=cohort_id,
        )
    access_project_as_admin(user, cohort.project_id)
    return cohort


class CohortDetailApi(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, cohort_id: int) -> Response:
        return Response(cohort_as_dict(_access_cohort(request.user, cohort_id)))


class CohortAssignApi(APIView):
    class CohortAssignInput(serializers.Serializer):
        mode = serializers.ChoiceField(choices=["balanced", "manual"])
        annotators = serializers.ListField(
            child=serializers.IntegerField(), required=False, default=list
        )
        assignments = serializers.DictField(
            child=serializers.IntegerField(), required=False, default=dict
        )
        due_date = serializers.DateField(required=False, allow_null=True, default=None)
        reassign = serializers.BooleanField(default=False)

    @extend_schema(request=CohortAssignInput, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request, cohort_id: int) -> Response:
        cohort = _access_cohort(request.user, cohort_id)
        data = self.CohortAssignInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if values["mode"] == "balanced":
            annotators = list(User.objects.filter(pk__in=values["annotators"]))
            cohort_assign_balanced(
                cohort=cohort,
                annotators=annotators,
                assigned_by=request.user,
                due_date=values["due_date"],
                reassign=values["reassign"],
            )
        else:
            for case_id, user_id in values["assignments"].items():
                case = cohort.cases.filter(pk=int(case_id)).first() if case_id.isdigit() else None
                annotator = User.objects.filter(pk=user_id).first()
                if case is None or annotator is None:
                    raise NotFoundError(
                        "ASSIGNMENT_INVALID",
                        gettext_noop("Case %(case_id)s or user %(user_id)s is not in this cohort."),
                        case_id=case_id,
                        user_id=user_id,
                    )
                case_assign(
                    case=case,
                    annotator=annotator,
                    assigned_by=request.user,
                    due_date=values["due_date"],
                )
        return Response(cohort_as_dict(cohort))


class CaseCandidatesApi(APIView):
    """Preview of the cases a cohort with these filters would hold."""

    @extend_schema(request=SelectionInput, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request, project_id: int) -> Response:
        project = access_project_as_admin(request.user, project_id)
        selection = SelectionInput(data=request.data)
        selection.is_valid(raise_exception=True)
        cases = cases_matching(project, **selection.validated_data)
        return Response([case_as_dict(case) for case in cases[:1000]])
