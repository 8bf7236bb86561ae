"""Annotation API: cases, their volumes on the reference grid, and mask versions."""

import json
from typing import Any

from django.http import FileResponse, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotation_platform.annotations.masks import gzip_bytes
from annotation_platform.annotations.models import MaskVersion
from annotation_platform.annotations.presenters import case_as_dict, version_as_dict
from annotation_platform.annotations.selectors import (
    access_case,
    access_case_for_edit,
    cases_visible_to,
)
from annotation_platform.annotations.services import (
    mask_read_volume,
    mask_version_restore,
    mask_version_save,
)
from annotation_platform.core.storage import object_storage, uploaded_file_path
from annotation_platform.errors import ActionableError, ConflictError, NotFoundError, gettext_noop

MASK_UPLOAD_MAX_BYTES = 64 * 1024 * 1024


def _conflict_response(error: ConflictError) -> Response:
    body: dict[str, Any] = {"code": error.code, "detail": error.localized(), "params": error.params}
    current_id = error.params.get("current_version_id")
    if current_id:
        body["current_version"] = version_as_dict(MaskVersion.objects.get(pk=current_id))
    return Response(body, status=status.HTTP_409_CONFLICT)


class CaseListApi(APIView):
    @extend_schema(operation_id="cases_list", responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        cases = cases_visible_to(request.user)
        state = request.query_params.get("state")
        if state:
            cases = cases.filter(state=state)
        return Response([case_as_dict(case) for case in cases[:500]])


class CaseDetailApi(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, case_id: int) -> Response:
        return Response(case_as_dict(access_case(request.user, case_id)))


class CaseVolumeApi(APIView):
    """The case's volume of one sequence on the reference grid, as gzip-compressed NIfTI."""

    @extend_schema(responses={(200, "application/gzip"): OpenApiTypes.BINARY})
    def get(self, request: Request, case_id: int, sequence: str) -> FileResponse:
        case = access_case(request.user, case_id)
        series = (
            case.study.series.filter(sequence=sequence, selected=True)
            .exclude(aligned_key="")
            .first()
        )
        if series is None:
            raise NotFoundError(
                "SEQUENCE_NOT_AVAILABLE",
                gettext_noop("Case %(case)s has no aligned %(sequence)s volume."),
                case=case.label,
                sequence=sequence,
            )
        # Sent as gzip content encoding, so the browser inflates it in its network process,
        # off the page's main thread; the body is the stored .nii.gz file as it is.
        response = FileResponse(
            object_storage().open(series.aligned_key, "rb"), content_type="application/octet-stream"
        )
        response["Content-Encoding"] = "gzip"
        # Keys are content hashes, so the bytes behind this URL change only with a new key.
        response["ETag"] = f'"{series.aligned_key.rsplit("/", 1)[-1].split(".")[0]}"'
        response["Cache-Control"] = "private, max-age=3600"
        return response


class MaskVersionListCreateApi(APIView):
    parser_classes = [MultiPartParser]

    class MaskVersionListCreateInput(serializers.Serializer):
        mask = serializers.FileField()
        encoding = serializers.ChoiceField(choices=["gzip", "zlib", "identity"], default="gzip")
        kind = serializers.ChoiceField(choices=["full", "crop", "xor-delta"], default="full")
        crop = serializers.CharField(
            required=False,
            allow_blank=True,
            default="",
            help_text="For kind=crop: the box x0,y0,z0,x1,y1,z1 (half-open) that the data fills.",
        )
        checksum = serializers.RegexField(r"^[0-9a-fA-F]{64}$", required=False, allow_blank=True)
        base_version = serializers.IntegerField(required=False, allow_null=True)
        overrides = serializers.CharField(required=False, allow_blank=True, default="[]")

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, case_id: int) -> Response:
        case = access_case(request.user, case_id)
        versions = case.versions.select_related("author").order_by("-number")
        return Response([version_as_dict(version) for version in versions])

    @extend_schema(
        request={"multipart/form-data": MaskVersionListCreateInput},
        responses={201: OpenApiTypes.OBJECT},
    )
    def post(self, request: Request, case_id: int) -> Response:
        case = access_case_for_edit(request.user, case_id)
        data = self.MaskVersionListCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        upload = values["mask"]
        if upload.size > MASK_UPLOAD_MAX_BYTES:
            raise ActionableError(
                "MASK_PAYLOAD_TOO_LARGE",
                gettext_noop("The compressed mask is larger than %(limit_mb)s MB."),
                limit_mb=MASK_UPLOAD_MAX_BYTES // 1024**2,
            )
        try:
            overrides = json.loads(values["overrides"] or "[]")
        except json.JSONDecodeError:
            overrides = None
        if not isinstance(overrides, list):
            raise ActionableError(
                "MASK_OVERRIDES_INVALID", gettext_noop("overrides must be a JSON list.")
            )
        try:
            version = mask_version_save(
                case=case,
                user=request.user,
                payload=upload.read(),
                encoding=values["encoding"],
                kind=values["kind"],
                checksum=values.get("checksum") or "",
                base_version_id=values.get("base_version"),
                overrides=overrides,
                crop=values.get("crop") or None,
            )
        except ConflictError as error:
            if error.code != "STALE_BASE_VERSION":
                raise
            return _conflict_response(error)
        return Response(version_as_dict(version), status=status.HTTP_201_CREATED)


def _access_version(user: Any, version_id: int) -> MaskVersion:
    version = MaskVersion.objects.select_related("author", "case").filter(pk=version_id).first()
    if version is None:
        raise NotFoundError(
            "MASK_VERSION_NOT_FOUND",
            gettext_noop("Mask version %(version_id)s does not exist."),
            version_id=version_id,
        )
    access_case(user, version.case_id)
    return version


class MaskVersionDetailApi(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, version_id: int) -> Response:
        return Response(version_as_dict(_access_version(request.user, version_id)))


class MaskVersionDataApi(APIView):
    """The mask's voxels, gzip-encoded for the browser to inflate: the whole grid (uint8, NIfTI
    order), or with ?encoding=crop only the voxels of its crop box, named in X-Mask-Crop."""

    @extend_schema(
        parameters=[OpenApiParameter("encoding", str, enum=["full", "crop"])],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
    )
    def get(self, request: Request, version_id: int) -> HttpResponse:
        version = _access_version(request.user, version_id)
        if request.query_params.get("encoding") == "crop":
            with object_storage().open(version.object_key, "rb") as handle:
                payload = handle.read()
        else:
            payload = gzip_bytes(memoryview(mask_read_volume(version).reshape(-1, order="F")))
        response = HttpResponse(payload, content_type="application/octet-stream")
        response["Content-Encoding"] = "gzip"
        response["ETag"] = f'"{version.checksum}-{request.query_params.get("encoding", "full")}"'
        response["Cache-Control"] = "private, max-age=31536000, immutable"
        response["X-Mask-Shape"] = ",".join(str(n) for n in version.shape)
        response["X-Mask-Crop"] = ",".join(str(n) for n in version.crop)
        response["X-Mask-Checksum"] = version.checksum
        response["Access-Control-Expose-Headers"] = "X-Mask-Shape, X-Mask-Crop, X-Mask-Checksum"
        return response


class MaskVersionRestoreApi(APIView):
    class MaskVersionRestoreInput(serializers.Serializer):
        base_version = serializers.IntegerField(required=False, allow_null=True)

    @extend_schema(request=MaskVersionRestoreInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request, case_id: int, version_id: int) -> Response:
        case = access_case_for_edit(request.user, case_id)
        version = _access_version(request.user, version_id)
        if version.case_id != case.pk:
            raise NotFoundError(
                "MASK_VERSION_NOT_FOUND",
                gettext_noop("Mask version %(version_id)s does not exist."),
                version_id=version_id,
            )
        data = self.MaskVersionRestoreInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            restored = mask_version_restore(
                case=case,
                user=request.user,
                version=version,
                base_version_id=data.validated_data.get("base_version"),
            )
        except ConflictError as error:
            if error.code != "STALE_BASE_VERSION":
                raise
            return _conflict_response(error)
        return Response(version_as_dict(restored), status=status.HTTP_201_CREATED)


class MaskImportApi(APIView):
    """Import a NIfTI label map, .seg.nrrd or DICOM SEG as a new version of the case."""

    parser_classes = [MultiPartParser]

    class MaskImportInput(serializers.Serializer):
        file = serializers.FileField()
        convention = serializers.CharField(
            required=False,
            allow_blank=True,
            default="",
            help_text="brats-2017-2021, brats-2023, brats-2024-post-treatment or custom (NIfTI).",
        )
        custom_map = serializers.CharField(required=False, allow_blank=True, default="")
        segment_map = serializers.CharField(required=False, allow_blank=True, default="")
        confirm = serializers.BooleanField(default=False)
        base_version = serializers.IntegerField(required=False, allow_null=True, default=None)

    @extend_schema(request={"multipart/form-data": MaskImportInput}, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request, case_id: int) -> Response:
        from annotation_platform.annotations.imports import mask_import

        case = access_case_for_edit(request.user, case_id)
        data = self.MaskImportInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        upload = values["file"]
        with uploaded_file_path(upload) as path:
            try:
                outcome = mask_import(
                    case=case,
                    user=request.user,
                    path=path,
                    file_name=upload.name,
                    convention=values["convention"],
                    custom_map=values["custom_map"],
                    segment_map=values["segment_map"],
                    confirm=values["confirm"],
                    base_version_id=values["base_version"],
                )
            except ConflictError as error:
                if error.code != "STALE_BASE_VERSION":
                    raise
                return _conflict_response(error)
        body = {"saved": outcome.saved is not None, "preview": outcome.preview}
        if outcome.saved is not None:
            body["version"] = version_as_dict(outcome.saved)
            return Response(body, status=status.HTTP_201_CREATED)
        return Response(body)
