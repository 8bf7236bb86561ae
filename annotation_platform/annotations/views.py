"""The annotation page (the viewer) and the list of the user's cases."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from annotation_platform.annotations.models import Case
from annotation_platform.annotations.presenters import version_as_dict
from annotation_platform.annotations.selectors import (
    access_case,
    access_case_for_edit,
    can_edit_case,
    cases_visible_to,
)
from annotation_platform.errors import ActionableError
from annotation_platform.quality.services import case_quality_summary, may_grade
from annotation_platform.review.presenters import comment_as_dict

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


@login_required
def import_mask(request: HttpRequest, case_id: int) -> HttpResponse:
    """A page to import a mask file as a new version, with the mapping shown before saving."""
    from annotation_platform.annotations.imports import mask_import
    from annotation_platform.core.storage import uploaded_file_path

    try:
        case = access_case_for_edit(request.user, case_id)
    except ActionableError as error:
        raise Http404(error.localized()) from None
    # The form keeps the user's choices, so that confirming a preview saves the mapping that
    # the preview showed, on the version that was current when it was shown.
    form = {
        "convention": request.POST.get("convention", ""),
        "custom_map": request.POST.get("custom_map", ""),
        "segment_map": request.POST.get("segment_map", ""),
        "base_version": case.latest_version_id,
    }
    context: dict[str, Any] = {"case": case, "form": form}
    if request.method == "POST" and request.FILES.get("file"):
        upload = request.FILES["file"]
        posted_base = request.POST.get("base_version", "")
        if posted_base.isdigit():
            form["base_version"] = int(posted_base)
        try:
            with uploaded_file_path(upload) as path:
                outcome = mask_import(
                    case=case,
                    user=request.user,
                    path=path,
                    file_name=upload.name,
                    convention=form["convention"],
                    custom_map=form["custom_map"],
                    segment_map=form["segment_map"],
                    confirm=request.POST.get("confirm") == "true",
                    base_version_id=form["base_version"],
                )
        except ActionableError as error:
            context["error"] = {"code": error.code, "message": error.localized()}
        else:
            context["saved"] = outcome.saved
            if outcome.saved is not None:
                form["base_version"] = outcome.saved.pk
            else:
                context["preview"] = outcome.preview
                context["placement"] = PLACEMENT_LABELS.get(
                    outcome.preview["placement"], outcome.preview["placement"]
                )
    elif request.method == "POST":
        context["error"] = {"code": "FILE_MISSING", "message": _("Choose a mask file to import.")}
    return render(request, "annotations/import_mask.html", context)


# Labels of the placements that exchange.geometry.fit_to_grid reports for an imported mask.
PLACEMENT_LABELS = {
    "identical": gettext_lazy("on the study grid as it is"),
    "reoriented": gettext_lazy("reoriented from another voxel order"),
    "placed": gettext_lazy("placed inside the study grid from a smaller or shifted grid"),
    "resampled": gettext_lazy("resampled from another grid by nearest neighbour"),
}


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
        "workflow": workflow_config(request, case),
        "comments": [
            comment_as_dict(comment)
            for comment in case.comments.select_related("decision__reviewer", "decision__version")
        ],
    }


def workflow_config(request: HttpRequest, case: Case) -> dict[str, Any]:
    """Return what the viewer offers around the drawing: submit, review, grades, comments."""
    protocol = case.project.protocol_version
    definition = protocol.definition
    user = request.user
    can_review = case.state in (Case.State.SUBMITTED, Case.State.IN_REVIEW) and _may_review(
        case, user
    )
    editable = can_edit_case(user, case)
    if can_review:
        mode = "review"
    elif editable:
        mode = "annotate"
    else:
        mode = "read_only"
    latest_submission = case.submissions.order_by("-created_at").first()
    return {
        "mode": mode,
        "can_submit": editable
        and case.state == Case.State.ANNOTATING
        and case.latest_version_id is not None,
        "can_recall": case.assignee_id == user.pk and case.state == Case.State.SUBMITTED,
        "can_grade": may_grade(case, user),
        "review_refusal": _review_refusal_for_viewer(case, user),
        "can_review": can_review,
        "submitted_version": version_as_dict(case.submitted_version),
        "checklist": [
            {"key": item["key"], "text": protocol.text(item["text"])}
            for item in definition["checklist"]
        ],
        "submitted_checklist": latest_submission.checklist if latest_submission else {},
        "scope_exclusions": [
            {"key": item["key"], "name": protocol.text(item["name"])}
            for item in definition["scope_exclusions"]
        ],
        "quality": {
            "minimum": definition["minimum_quality_grade"],
            "grades": [
                {"value": g["value"], "name": protocol.text(g["name"])}
                for g in definition["quality_grades"]
            ],
            "reasons": [
                {"key": r["key"], "name": protocol.text(r["name"])}
                for r in definition.get("quality_reasons", [])
            ],
            "series": case_quality_summary(case),
        },
        "api": {
            "submit": reverse("api-case-submit", args=[case.pk]),
            "recall": reverse("api-case-recall", args=[case.pk]),
            "exclude": reverse("api-case-exclude", args=[case.pk]),
            "review_start": reverse("api-review-start", args=[case.pk]),
            "decision": reverse("api-review-decision", args=[case.pk]),
            "comments": reverse("api-case-comments", args=[case.pk]),
            "quality": reverse("api-series-quality", args=[case.pk, 0]).replace(
                "/0/", "/{series_id}/"
            ),
            "heartbeat": reverse("api-case-heartbeat", args=[case.pk]),
        },
        "links": {
            "worklist": reverse("worklists:worklist"),
            "import": reverse("annotations:import-mask", args=[case.pk]) if editable else None,
            "volumetry": reverse("volumetry:volumetry", args=[case.pk]),
        },
    }


def _may_review(case: Case, user: Any) -> bool:
    return _review_refusal(case, user) is None


def _review_refusal(case: Case, user: Any) -> ActionableError | None:
    from annotation_platform.review.services import require_reviewer

    try:
        require_reviewer(case, user)
    except ActionableError as error:
        return error
    return None


def _review_refusal_for_viewer(case: Case, user: Any) -> dict[str, str] | None:
    """Why a senior reviewer of the project cannot review this waiting case; None for others,
    who were never meant to review it."""
    if case.state not in (Case.State.SUBMITTED, Case.State.IN_REVIEW):
        return None
    refusal = _review_refusal(case, user)
    if refusal is None or refusal.code == "NOT_A_REVIEWER":
        return None
    return {"code": refusal.code, "detail": refusal.localized()}


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
