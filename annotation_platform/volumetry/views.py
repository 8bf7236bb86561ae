"""The volumetry page: volumes, fractions, change against the prior study, and a small plot."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from annotation_platform.annotations.selectors import access_case
from annotation_platform.errors import ActionableError
from annotation_platform.volumetry.services import case_volumetry

PLOT_WIDTH = 480
PLOT_HEIGHT = 180
MARGIN = 30


@login_required
def volumetry(request: HttpRequest, case_id: int) -> HttpResponse:
    try:
        case = access_case(request.user, case_id)
    except ActionableError as error:
        raise Http404(error.localized()) from None
    report = case_volumetry(case)
    regions = case.project.protocol_version.definition["regions"]
    names = {r["key"]: case.project.protocol_version.text(r["name"]) for r in regions}
    return render(
        request,
        "volumetry/volumetry.html",
        {
            "case": case,
            "report": report,
            "rows": _rows(report, names),
            "plot": _plot(report["history"], regions),
        },
    )


def _rows(report: dict[str, Any], names: dict[str, str]) -> list[dict[str, Any]]:
    current = report["current"]
    if not current:
        return []
    change = (report["change"] or {}).get("regions", {})
    prior = report["prior"]
    return [
        {
            "key": key,
            "name": names.get(key, key),
            "now": value,
            "before": prior["volumes_cm3"].get(key) if prior else None,
            **change.get(key, {}),
        }
        for key, value in current["volumes_cm3"].items()
    ]


def _plot(history: list[dict[str, Any]], regions: list[dict[str, Any]]) -> dict[str, Any]:
    """Polylines of each region's volume over the patient's studies, in SVG coordinates."""
    if not history:
        return {"lines": [], "width": PLOT_WIDTH, "height": PLOT_HEIGHT}
    peak = max([max(p["volumes_cm3"].values() or [0]) for p in history] + [1e-9])
    step = (PLOT_WIDTH - 2 * MARGIN) / max(len(history) - 1, 1)
    lines = []
    for region in regions:
        points = []
        for index, point in enumerate(history):
            value = point["volumes_cm3"].get(region["key"], 0.0)
            x = MARGIN + index * step
            y = PLOT_HEIGHT - MARGIN - (PLOT_HEIGHT - 2 * MARGIN) * value / peak
            points.append(f"{x:.1f},{y:.1f}")
        lines.append({"key": region["key"], "color": region["color"], "points": " ".join(points)})
    labels = [
        {
            "x": MARGIN + index * step,
            "text": point["study_date"] or point["label"] or f"#{index + 1}",
        }
        for index, point in enumerate(history)
    ]
    return {
        "lines": lines,
        "labels": labels,
        "width": PLOT_WIDTH,
        "height": PLOT_HEIGHT,
        "peak": peak,
    }
