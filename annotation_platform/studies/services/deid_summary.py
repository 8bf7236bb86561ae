"""The de-identification record kept per study: profile, options and counts, never values."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from annotation_platform.imaging.deid import PROFILE_EDITION
from annotation_platform.studies.models import Study

PROFILE_NAME = "DICOM PS3.15 Annex E, Basic Application Level Confidentiality Profile"

# DCM code values of the profile and options (PS3.16 CID 7050), as the pages name them.
METHOD_NAMES = {
    "113100": _("Basic Application Confidentiality Profile"),
    "113101": _("Clean Pixel Data Option"),
    "113105": _("Clean Descriptors Option"),
    "113107": _("Retain Longitudinal Temporal Information Modified Dates Option"),
    "113108": _("Retain Patient Characteristics Option"),
    "113111": _("Retain Safe Private Option"),
}

COUNTERS = (
    "private_removed",
    "unlisted_removed",
    "uids_replaced",
    "dates_shifted",
    "dates_cleared",
    "descriptors_cleaned",
    "tokens_dropped",
    "kept_values_cleaned",
    "values_transcoded",
    "safe_private_kept",
    "safe_private_dropped",
)


def merge_deid_summary(study: Study, reports: list[dict[str, Any]]) -> None:
    """Add the reports of newly de-identified files to the study's record."""
    if not reports:
        return
    with transaction.atomic():
        locked = Study.objects.select_for_update().get(pk=study.pk)
        record = dict(locked.deidentification or {})
        record.setdefault("profile", f"{PROFILE_NAME} ({PROFILE_EDITION})")
        record["files"] = record.get("files", 0) + len(reports)
        codes = set(record.get("method_codes", []))
        actions: dict[str, int] = dict(record.get("action_counts", {}))
        for report in reports:
            codes.update(report.get("method_codes", []))
            for action, count in report.get("action_counts", {}).items():
                actions[action] = actions.get(action, 0) + count
            for counter in COUNTERS:
                record[counter] = record.get(counter, 0) + int(report.get(counter, 0))
        record["method_codes"] = sorted(codes)
        record["action_counts"] = actions
        record["removed"] = (
            actions.get("X", 0)
            + record.get("private_removed", 0)
            + record.get("unlisted_removed", 0)
        )
        record["replaced"] = sum(actions.get(a, 0) for a in ("Z", "D", "U", "C"))
        locked.deidentification = record
        locked.save(update_fields=["deidentification"])


def method_names(record: dict[str, Any]) -> list[str]:
    """The profile and options applied, in the reader's language."""
    return [str(METHOD_NAMES.get(code, code)) for code in record.get("method_codes", [])]
