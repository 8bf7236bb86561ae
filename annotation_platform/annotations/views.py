"""The annotation page (the viewer) and the list of the user's cases."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language

from annotation_platform.annotations.models import Case
from annotation_platform.annotations.presenters import version_as_dict
from annotation_platform.annotations.selectors import access_case, can_edit_case, cases_visible_to
from annotation_platform.errors import ActionableError

# Seconds between autosaves while there are unsaved strokes; the design promises at most 15.
AUTOSAVE_INTERVAL_S = 10


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    cases = cases_visible_to(request.user)
    return render(request, "annotations/case_list.html", {"cases": cases})


@login_required
def annotate(request: HttpRequest, case_id: int) -> HttpResponse:
    try:
        case = access_case(request.user, case_id)
    except ActionableError as error:
        raise Http404(error.localized()) from None
    return render(
        request,
        "annotations/annotate.html",
        {"case": case, "config": viewer_config(request, case)},
    )


def viewer_config(request: HttpRequest, case: Case) -> dict[str, Any]:
    """Everything the viewer needs to open a case: grid, volumes, regions, API addresses."""
    protocol = case.project.protocol_version
    definition = protocol.definition
    selected = {s.sequence: s for s in case.study.series.all() if s.selected and s.aligned_key}
    names = {item["key"]: protocol.text(item["name"]) for item in definition["sequences"]}
    layout = definition.get("viewer_layout") or [item["key"] for item in definition["sequences"]]
    return {
        "case": {
            "id": case.pk,
            "label": case.label,
            "study_id": case.study_id,
            "state": case.state,
            "read_only": not can_edit_case(request.user, case),
        },
        "user": {
            "id": request.user.pk,
            "name": request.user.get_full_name() or request.user.username,
        },
        "language": get_language() or "en",
        "grid": case.study.grid,
        "sequences": [
            {
                "key": key,
                "name": names.get(key, key),
                "url": reverse("api-case-volume", args=[case.pk, key]),
            }
            for key in layout
            if key in selected
        ],
        "regions": [_region(protocol, region) for region in definition["regions"]],
        "api": {
            "versions": reverse("api-mask-list", args=[case.pk]),
            "version_data": reverse("api-mask-data", args=[0]).replace("/0/", "/{id}/"),
            "restore": reverse("api-mask-restore", args=[case.pk, 0]).replace("/0/", "/{id}/"),
            "figures": reverse("api-mask-detail", args=[0]).replace("/0/", "/{id}/"),
        },
        "latest_version": version_as_dict(case.latest_version),
        "autosave_interval_s": AUTOSAVE_INTERVAL_S,
        "csrf_token": get_token(request),
    }


def _region(protocol: Any, region: dict[str, Any]) -> dict[str, Any]:
    item = {
        "key": region["key"],
        "name": protocol.text(region["name"]),
        "color": region["color"],
        "description": protocol.text(region["description"]) if "description" in region else "",
    }
    if "derived" in region:
        item["derived"] = region["derived"]
    else:
        item.update(
            drawn_on=region["drawn_on"],
            bit=region["bit"],
            within=region.get("within"),
            required=bool(region.get("required")),
        )
    return item
