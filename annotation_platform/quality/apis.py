"""Quality grades through the API: an admin or the case's annotator grades each sequence."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotation_platform.annotations.selectors import access_case
from annotation_platform.errors import NotFoundError, gettext_noop
from annotation_platform.quality.services import (
    case_quality_summary,
    require_may_grade,
    series_grade,
)


class CaseQualityApi(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, case_id: int) -> Response:
        return Response(case_quality_summary(access_case(request.user, case_id)))


class SeriesQualityApi(APIView):
    class SeriesQualityInput(serializers.Serializer):
        grade = serializers.IntegerField()
        reasons = serializers.ListField(child=serializers.CharField(), required=False, default=list)

    @extend_schema(request=SeriesQualityInput, responses=OpenApiTypes.OBJECT)
    def put(self, request: Request, case_id: int, series_id: int) -> Response:
        case = access_case(request.user, case_id)
        require_may_grade(case, request.user)
        series = case.study.series.filter(pk=series_id).first()
        if series is None:
            raise NotFoundError(
                "SERIES_NOT_FOUND",
                gettext_noop(
                    "Series %(series_id)s does not exist or is not in one of your projects."
                ),
                series_id=series_id,
            )
        data = self.SeriesQualityInput(data=request.data)
        data.is_valid(raise_exception=True)
        series_grade(
            series=series,
            grade=data.validated_data["grade"],
            reasons=data.validated_data["reasons"],
            user=request.user,
        )
        return Response(case_quality_summary(case))
