"""Ingest of NIfTI files: one study per case folder, one series per file, headers cleaned.

NIfTI files carry no DICOM header, so there is nothing to de-identify but their free-text header
fields (descrip, aux_file, intent_name, extensions), which are cleared. The case folder or label
names the patient; it is hashed into the project pseudonym and never stored.
"""

import logging
import re
from collections import defaultdict
from pathlib import PurePosixPath
from typing import Any

from annotation_platform.core.storage import (
    local_path,
    object_storage,
    put_file,
    quarantine_storage,
    scratch_folder,
    sha256_file,
)
from annotation_platform.errors import gettext_noop
from annotation_platform.imaging.intake.nifti_sanitize import sanitize_nifti
from annotation_platform.imaging.sequences import recognize_filename
from annotation_platform.imaging.volumes import grid_of
from annotation_platform.studies.models import Series, Study, Upload
from annotation_platform.studies.pseudonyms import derived_uid, patient_for_source
from annotation_platform.studies.services.quarantine import QuarantineItem

logger = logging.getLogger(__name__)

# BraTS case folders: BraTS-GLI-00001-000 is patient BraTS-GLI-00001 at time point 000.
BRATS_TIMEPOINT = re.compile(r"^(?P<patient>BraTS[-_].+?)[-_](?P<timepoint>\d{3})$", re.IGNORECASE)


def case_label(item: QuarantineItem, subject: str) -> str:
    """The case an uploaded NIfTI file belongs to: the label given, else its folder."""
    if subject.strip():
        return subject.strip()
    parent = str(PurePosixPath(item.name.replace("\\", "/")).parent)
    return parent if parent not in ("", ".") else "single-upload"


def split_case_label(label: str) -> tuple[str, str]:
    """Patient and time point of a case label; labels without a time point are one study."""
    match = BRATS_TIMEPOINT.match(PurePosixPath(label).name)
    if match:
        return match.group("patient"), match.group("timepoint")
    return label, ""


def ingest_nifti_items(
    upload: Upload,
    items: list[QuarantineItem],
    subject: str,
    progress: Any,
    summary: dict[str, Any],
    warnings: list[dict[str, Any]],
) -> set[int]:
    cases: dict[str, list[QuarantineItem]] = defaultdict(list)
    for item in items:
        label = case_label(item, subject)
        if label == "single-upload":
            label = f"upload:{upload.uuid}"
        cases[label].append(item)
    studies: set[int] = set()
    done = 0
    for label, case_items in cases.items():
        study = _study_for_case(upload, label)
        for item in case_items:
            if _ingest_file(study, label, item, summary, warnings):
                summary["nifti_files"] += 1
            done += 1
            progress(done / len(items), gettext_noop("Cleaning the NIfTI headers"))
        studies.add(study.pk)
    return studies


def _study_for_case(upload: Upload, label: str) -> Study:
    project = upload.project
    patient_label, timepoint = split_case_label(label)
    patient = patient_for_source(project, f"nifti:{patient_label}")
    study, _ = Study.objects.get_or_create(
        project=project,
        study_uid=derived_uid(project, "nifti-study", label.lower()),
        defaults={
            "patient": patient,
            "description": f"Time point {timepoint}" if timepoint else "",
        },
    )
    return study


def _ingest_file(
    study: Study,
    label: str,
    item: QuarantineItem,
    summary: dict[str, Any],
    warnings: list[dict[str, Any]],
) -> bool:
    file_name = PurePosixPath(item.name.replace("\\", "/")).name
    recognition = recognize_filename(file_name)
    if recognition.is_label_map:
        summary["skipped"] += 1
        warnings.append(
            {
                "code": "LABEL_MAP_NOT_IMPORTED",
                "template": gettext_noop(
                    "A label map (segmentation) was uploaded as an image and was left out. "
                    "Import masks through the case's mask import instead."
                ),
                "params": {},
            }
        )
        return False
    with scratch_folder("nifti-") as work:
        clean = work / "volume.nii.gz"
        with local_path(quarantine_storage(), item.key) as source:
            sanitize_nifti(source, clean, name=file_name)
        key = f"volumes/{sha256_file(clean)}.nii.gz"
        put_file(object_storage(), key, clean)
        geometry = grid_of(clean)
    Series.objects.update_or_create(
        study=study,
        series_uid=derived_uid(
            study.project, "nifti-series", f"{label.lower()}\0{file_name.lower()}"
        ),
        defaults={
            "source_kind": Series.SourceKind.NIFTI,
            "modality": "MR",
            "description": str(recognition.sequence),
            "status": Series.Status.CONVERTED,
            "file_count": 1,
            "sequence": _sequence_value(str(recognition.sequence)),
            "sequence_confidence": recognition.confidence,
            "sequence_source": Series.SequenceSource.FILENAME,
            "sequence_evidence": recognition.evidence,
            "geometry": geometry,
            "volume_key": key,
            "aligned_key": "",
        },
    )
    return True


def _sequence_value(value: str) -> str:
    return value if value in Series.Sequence.values else Series.Sequence.OTHER
