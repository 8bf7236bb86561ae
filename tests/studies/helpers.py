"""Uploading files through the API in tests."""

from pathlib import Path

from django.test import Client


def upload_files(
    client: Client,
    project_id: int,
    paths: list[Path],
    *,
    names: list[str] | None = None,
    subject: str = "",
):
    """POST files to the upload API as a browser does; return the response."""
    handles = [path.open("rb") for path in paths]
    try:
        data: dict = {"files": handles}
        if names:
            data["paths"] = names
        if subject:
            data["subject"] = subject
        return client.post(f"/api/v1/projects/{project_id}/uploads/", data)
    finally:
        for handle in handles:
            handle.close()
