"""What an export needs of one case: the approved mask, the grid, the images, the provenance."""

import logging
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pydicom

from annotation_platform.annotations.masks import as_mask
from annotation_platform.annotations.models import Case
from annotation_platform.annotations.services import mask_read_raw
from annotation_platform.core.storage import local_path, object_storage
from annotation_platform.exchange.geometry import Grid
from annotation_platform.quality.services import quality_problems
from annotation_platform.studies.models import Series

logger = logging.getLogger(__name__)


@dataclass
class CaseBundle:
    case: Case
    patient_id: str
    bitmask: np.ndarray  # on the reference grid, NIfTI order (index [i, j, k])
    grid: Grid
    images: dict[str, Path]  # sequence -> NIfTI on the reference grid
    provenance: dict[str, Any]


def eligible_cases(
    project: Any, case_ids: list[int] | None = None
) -> tuple[list[Case], list[dict[str, Any]]]:
    """Approved cases whose images meet the minimum grade; the others with the reason they wait."""
    cases = Case.objects.filter(project=project).select_related(
        "study__patient", "approved_version__author", "reviewer", "assignee"
    )
    if case_ids:
        cases = cases.filter(pk__in=case_ids)
    chosen, skipped = [], []
    for case in cases.order_by("study__patient__pseudonym", "id"):
        if case.state != Case.State.APPROVED or case.approved_version is None:
            skipped.append(
                {
                    "case": case.pk,
                    "patient": case.label,
                    "reason": "not_approved",
                    "state": case.state,
                }
            )
        elif quality_problems(case.study, require_graded=True):
            skipped.append({"case": case.pk, "patient": case.label, "reason": "image_quality"})
        else:
            chosen.append(case)
    return chosen, skipped


def provenance(case: Case) -> dict[str, Any]:
    """The manifest entry of a case: who made and approved which version, under which rules."""
    version = case.approved_version
    project = case.project
    decision = (
        case.decisions.filter(version=version, decision="approved")
        .select_related("reviewer")
        .first()
    )
    deid = case.study.deidentification or {}
    return {
        "patient_id": case.label,
        "study_uid": case.study.study_uid,
        "study_date": case.study.study_date.isoformat() if case.study.study_date else None,
        "protocol": f"{project.protocol_version.protocol.key} {project.protocol_version.version}",
        "deidentification": {
            "profile": deid.get(
                "profile", "not applicable: uploaded as NIfTI, header text cleared"
            ),
            "method_codes": deid.get("method_codes", []),
        },
        "annotator": version.author.username if version and version.author else None,
        "reviewer": decision.reviewer.username if decision else None,
        "approved_at": decision.created_at.isoformat() if decision else None,
        "mask_version": version.number if version else None,
        "mask_checksum_sha256": version.checksum if version else None,
        "ethics_approval": {"number": project.irb_number, "body": project.irb_body},
    }


@contextmanager
def case_bundle(case: Case) -> Iterator[CaseBundle]:
    """Open the case's approved mask and its aligned images as local files."""
    version = case.approved_version
    shape = tuple(version.shape)
    bitmask = as_mask(mask_read_raw(version)).reshape(shape, order="F")
    storage = object_storage()
    selected = {
        s.sequence: s for s in case.study.series.filter(selected=True).exclude(aligned_key="")
    }
    with ExitStack() as stack:
        images = {
            sequence: stack.enter_context(local_path(storage, series.aligned_key, ".nii.gz"))
            for sequence, series in selected.items()
        }
        reference = case.project.protocol_version.definition["reference_sequence"]
        grid_source = images.get(reference) or next(iter(images.values()))
        yield CaseBundle(
            case=case,
            patient_id=case.label,
            bitmask=bitmask,
            grid=Grid.of_file(grid_source),
            images=images,
            provenance=provenance(case),
        )


def source_datasets(case: Case, sequence: str) -> list[pydicom.Dataset]:
    """The de-identified DICOM files of the series a region is drawn on (for DICOM SEG)."""
    series = case.study.series.filter(sequence=sequence, selected=True).first()
    if series is None or series.source_kind != Series.SourceKind.DICOM:
        return []
    storage = object_storage()
    datasets = []
    for key in series.instances.order_by("instance_number", "id").values_list(
        "object_key", flat=True
    ):
        with storage.open(key, "rb") as handle:
            datasets.append(pydicom.dcmread(handle, stop_before_pixels=False))
    return datasets
