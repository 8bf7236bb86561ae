"""Volumetry of a case and its change against the same patient's prior study.

Volumes come from the protocol checks stored with each mask version (voxel count times the voxel
volume of the study's reference grid). The approved version counts when there is one, else the
latest. Dates are the de-identified study dates: every date of a patient is shifted by the same
number of days, so intervals between studies, and growth per month, stay true.
"""

from datetime import date
from typing import Any

from annotation_platform.annotations.models import Case, MaskVersion

# A month as the average Gregorian month, in days (365.2425 / 12).
DAYS_PER_MONTH = 30.436875


def counted_version(case: Case) -> MaskVersion | None:
    return case.approved_version or case.latest_version


def timepoint(case: Case) -> dict[str, Any] | None:
    version = counted_version(case)
    if version is None:
        return None
    figures = version.figures
    volumes = {key: value["volume_cm3"] for key, value in figures.get("regions", {}).items()}
    core = volumes.get("TC") or 0.0
    return {
        "case": case.pk,
        "study": case.study_id,
        "study_date": case.study.study_date.isoformat() if case.study.study_date else None,
        "label": case.study.description
        or (case.study.study_date.isoformat() if case.study.study_date else ""),
        "version": version.number,
        "approved": case.approved_version_id == version.pk,
        "volumes_cm3": volumes,
        "enhancing_fraction_of_core": round(volumes.get("ET", 0.0) / core, 4) if core else None,
        "non_enhancing_fraction_of_core": round(volumes.get("NET", 0.0) / core, 4)
        if core
        else None,
        "lesion_count": len(figures.get("lesions", [])),
    }


def _order_key(case: Case) -> tuple[date, str, int]:
    return (case.study.study_date or date.min, case.study.description, case.study_id)


def patient_history(case: Case) -> list[dict[str, Any]]:
    """Every annotated study of the case's patient in this project, oldest first."""
    cases = Case.objects.filter(
        project=case.project, study__patient=case.study.patient
    ).select_related("study", "approved_version", "latest_version")
    points = [timepoint(other) for other in sorted(cases, key=_order_key)]
    return [point for point in points if point is not None]


def case_volumetry(case: Case) -> dict[str, Any]:
    """The case's volumes and fractions, and the change against the prior study if there is one."""
    history = patient_history(case)
    current = next((point for point in history if point["case"] == case.pk), None)
    index = history.index(current) if current else -1
    prior = history[index - 1] if index > 0 else None
    return {
        "case": case.pk,
        "patient": case.study.patient.pseudonym,
        "current": current,
        "prior": prior,
        "change": _change(current, prior) if current and prior else None,
        "history": history,
    }


def _change(current: dict[str, Any], prior: dict[str, Any]) -> dict[str, Any]:
    months = None
    if current["study_date"] and prior["study_date"]:
        days = (
            date.fromisoformat(current["study_date"]) - date.fromisoformat(prior["study_date"])
        ).days
        months = days / DAYS_PER_MONTH if days > 0 else None
    regions = {}
    for key, now in current["volumes_cm3"].items():
        before = prior["volumes_cm3"].get(key, 0.0)
        delta = now - before
        regions[key] = {
            "delta_cm3": round(delta, 4),
            "delta_percent": round(100.0 * delta / before, 2) if before else None,
            "per_month_cm3": round(delta / months, 4) if months else None,
        }
    return {"months": round(months, 2) if months else None, "regions": regions}
