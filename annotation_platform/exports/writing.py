"""Writing the cases of an export into a target (a zip or a folder), one case at a time, with a
manifest that records each file's SHA-256 and each case's provenance."""

import hashlib
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.utils import timezone

from annotation_platform.annotations.models import Case
from annotation_platform.errors import ActionableError, gettext_noop
from annotation_platform.exchange.conventions import convention_by_key
from annotation_platform.exchange.layouts import (
    write_brats_case,
    write_dicom_seg,
    write_label_map_nifti,
    write_nnunet_case,
    write_nnunet_dataset_json,
    write_region_niftis,
)
from annotation_platform.exchange.naming import export_file_name, safe_component
from annotation_platform.exchange.regions import ProtocolRegions
from annotation_platform.exchange.targets import ExportTarget
from annotation_platform.exports.cases import CaseBundle, case_bundle, source_datasets

logger = logging.getLogger(__name__)

Progress = Callable[[float, str], None]


class HashingTarget:
    """Passes files on to another target and records the SHA-256 of each."""

    def __init__(self, inner: ExportTarget) -> None:
        self.inner = inner
        self.digests: dict[str, str] = {}

    def write_bytes(self, name: str, data: bytes) -> None:
        self.inner.write_bytes(name, data)
        self.digests[name] = hashlib.sha256(data).hexdigest()

    def write_file(self, name: str, source: Path) -> None:
        self.inner.write_file(name, source)
        digest = hashlib.sha256()
        with source.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
        self.digests[name] = digest.hexdigest()

    def take(self) -> dict[str, str]:
        taken, self.digests = self.digests, {}
        return taken


def write_export(
    *,
    target: ExportTarget,
    cases: list[Case],
    skipped: list[dict[str, Any]],
    export_format: str,
    convention_key: str,
    header: dict[str, Any],
    progress: Progress,
) -> dict[str, Any]:
    """Write every case and the manifest; return the manifest."""
    hashing = HashingTarget(target)
    definition = cases[0].project.protocol_version.definition
    regions = ProtocolRegions.from_definition(definition)
    entries = []
    for index, case in enumerate(cases):
        progress(index / max(len(cases), 1), gettext_noop("Writing the cases"))
        with case_bundle(case) as bundle:
            warnings = _write_case(hashing, bundle, export_format, convention_key, regions)
        entries.append(
            {
                **bundle.provenance,
                "files": hashing.take(),
                "warnings": [w.as_dict() for w in warnings],
            }
        )
        logger.debug("export wrote case %s", case.pk)
    if export_format == "nnunet":
        write_nnunet_dataset_json(hashing, len(cases), name=safe_component(header["project"]))
    manifest = {
        **header,
        "written_at": timezone.now().isoformat(),
        "files_of_the_export": hashing.take(),
        "cases": entries,
        "skipped": skipped,
    }
    target.write_bytes(
        "manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False).encode("utf-8")
    )
    return manifest


def _write_case(
    target: HashingTarget,
    bundle: CaseBundle,
    export_format: str,
    convention_key: str,
    regions: ProtocolRegions,
) -> list[Any]:
    convention = convention_by_key(convention_key, regions)
    folder = safe_component(bundle.patient_id)
    if export_format == "nifti":
        written = write_region_niftis(
            target,
            bundle.bitmask,
            bundle.grid,
            patient_id=bundle.patient_id,
            regions=regions,
            folder=folder,
        )
        label_map = write_label_map_nifti(
            target,
            bundle.bitmask,
            bundle.grid,
            patient_id=bundle.patient_id,
            convention=convention,
            regions=regions,
            folder=folder,
        )
        for sequence, path in bundle.images.items():
            name = export_file_name(
                regions.naming_pattern,
                patient_id=bundle.patient_id,
                sequence=sequence,
                label="image",
            )
            target.write_file(f"{folder}/{name}", path)
        return written.warnings + label_map.warnings
    if export_format == "brats":
        case_id = safe_component(f"{bundle.patient_id}-{bundle.case.study_id:03d}")
        return write_brats_case(
            target,
            case_id,
            bundle.bitmask,
            bundle.grid,
            bundle.images,
            convention=convention,
            regions=regions,
        ).warnings
    if export_format == "nnunet":
        case_id = safe_component(f"{bundle.patient_id}_{bundle.case.study_id:03d}")
        return write_nnunet_case(
            target, case_id, bundle.bitmask, bundle.grid, bundle.images, regions=regions
        ).warnings
    if export_format == "dicom-seg":
        sequence = regions.reference_sequence
        sources = source_datasets(bundle.case, sequence)
        if not sources:
            raise ActionableError(
                "EXPORT_NO_DICOM_SOURCE",
                gettext_noop(
                    "Case %(case)s has no DICOM %(sequence)s series to reference (it was uploaded "
                    "as NIfTI), so it cannot be exported as DICOM SEG. Export it as NIfTI instead."
                ),
                case=bundle.patient_id,
                sequence=sequence,
            )
        return write_dicom_seg(
            target,
            bundle.bitmask,
            bundle.grid,
            sources,
            patient_id=bundle.patient_id,
            sequence=sequence,
            regions=regions,
            folder=folder,
        ).warnings
    raise ValueError(f"unknown export format {export_format!r}")
