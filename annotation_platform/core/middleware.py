"""Request middleware of the platform."""

import os
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class UploadFolderMiddleware:
    """Make sure the folder for spooled uploads exists before any code reads a request body
    (CSRF checks read it before the view runs). Settings create no folders at import."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in ("POST", "PUT", "PATCH") and settings.FILE_UPLOAD_TEMP_DIR:
            os.makedirs(settings.FILE_UPLOAD_TEMP_DIR, exist_ok=True)
        return self.get_response(request)
