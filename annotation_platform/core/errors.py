"""The API's error format: {"code", "detail", "params"} with the detail in the reader's language."""

from typing import Any

from rest_framework.response import Response
from rest_framework.views import exception_handler

from annotation_platform.errors import ActionableError


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ActionableError):
        return Response(
            {"code": exc.code, "detail": exc.localized(), "params": exc.params},
            status=exc.http_status,
        )
    return exception_handler(exc, context)
