"""Label protocols API: the published versions, read-only."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotation_platform.errors import NotFoundError, gettext_noop
from annotation_platform.protocols.models import ProtocolVersion


class ProtocolVersionOutput(serializers.ModelSerializer):
    key = serializers.CharField(source="protocol.key")

    class Meta:
        model = ProtocolVersion
        fields = ["id", "key", "version", "checksum", "published_at", "definition"]


class ProtocolVersionListApi(APIView):
    @extend_schema(responses=ProtocolVersionOutput(many=True))
    def get(self, request: Request) -> Response:
        versions = ProtocolVersion.objects.select_related("protocol")
        return Response(ProtocolVersionOutput(versions, many=True).data)


class ProtocolVersionDetailApi(APIView):
    @extend_schema(responses=ProtocolVersionOutput)
    def get(self, request: Request, key: str, version: str) -> Response:
        found = (
            ProtocolVersion.objects.select_related("protocol")
            .filter(protocol__key=key, version=version)
            .first()
        )
        if found is None:
            raise NotFoundError(
                "PROTOCOL_NOT_FOUND",
                gettext_noop("Protocol %(key)s version %(version)s is not published."),
                key=key,
                version=version,
            )
        return Response(ProtocolVersionOutput(found).data)
