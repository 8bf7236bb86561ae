"""Mask versions and cases as the API and the viewer see them."""

from typing import Any

from django.urls import reverse

from annotation_platform.annotations.models import Case, MaskVersion


def version_as_dict(version: MaskVersion | None) -> dict[str, Any] | None:
    if version is None:
        return None
    author = version.author
    return {
        "id": version.pk,
        "number": version.number,
        "author": (author.get_full_name() or author.username) if author else None,
        "author_id": version.author_id,
        "created_at": version.created_at.isoformat(),
        "base_version": version.base_id,
        "source": version.source,
        "restored_from": version.restored_from_id,
        "checksum": version.checksum,
        "size_bytes": version.stored_bytes,
        "raw_bytes": version.raw_bytes,
        "shape": version.shape,
        "crop": version.crop,
        "overrides": version.overrides,
        "figures": version.figures,
        "checks_ms": round(version.checks_ms, 2),
    }


def case_as_dict(case: Case) -> dict[str, Any]:
    assignee = case.assignee
    return {
        "id": case.pk,
        "label": case.label,
        "project": case.project_id,
        "study": case.study_id,
        "state": case.state,
        "state_display": case.get_state_display(),
        "assignee": (assignee.get_full_name() or assignee.username) if assignee else None,
        "assignee_id": case.assignee_id,
        "due_date": case.due_date.isoformat() if case.due_date else None,
        "latest_version": version_as_dict(case.latest_version),
        "approved_version_id": case.approved_version_id,
        "annotate_url": reverse("annotations:annotate", args=[case.pk]),
    }
