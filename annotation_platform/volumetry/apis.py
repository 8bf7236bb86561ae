from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotation_platform.annotations.selectors import access_case
from annotation_platform.volumetry.services import case_volumetry


class CaseVolumetryApi(APIView):
    """Region volumes of the case in cm3, fractions of the core, and change against the prior."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, case_id: int) -> Response:
        return Response(case_volumetry(access_case(request.user, case_id)))
