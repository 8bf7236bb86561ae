"""Importing a mask made elsewhere as the starting version of a case.

NIfTI label maps (ITK-SNAP, MITK, BraTS) with their label convention declared, 3D Slicer
.seg.nrrd and DICOM SEG. The mask is placed on the study's reference grid by its affine (never
flipped by guesswork) and turned into the protocol's region bits. When the convention was
assumed, or the import needed a warning, the mapping is returned for the user to confirm before
anything is saved.
"""

import json
import logging
import math
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nibabel as nib
import nrrd
import numpy as np
import pydicom
from django.conf import settings
from nibabel.filebasedimages import ImageFileError
from pydicom.errors import InvalidDicomError

from annotation_platform.accounts.models import User
from annotation_platform.annotations.models import Case, MaskVersion
from annotation_platform.annotations.services import case_grid, mask_version_save
from annotation_platform.core.storage import local_path, object_storage
from annotation_platform.errors import ActionableError, gettext_noop
from annotation_platform.exchange.conventions import convention_by_key, custom_convention
from annotation_platform.exchange.dicom_seg import read_dicom_seg
from annotation_platform.exchange.geometry import Grid
from annotation_platform.exchange.nifti import read_nifti_labels
from annotation_platform.exchange.regions import ProtocolRegions
from annotation_platform.exchange.results import ImportedMask
from annotation_platform.exchange.seg_nrrd import read_seg_nrrd

logger = logging.getLogger(__name__)


@dataclass
class ImportOutcome:
    """An import either saved as a version, or waiting for the user to confirm its mapping."""

    saved: MaskVersion | None
    preview: dict[str, Any]


def mask_format(file_name: str) -> str:
    name = file_name.lower()
    if name.endswith((".nii", ".nii.gz")):
        return "nifti"
    if name.endswith((".seg.nrrd", ".nrrd")):
        return "seg-nrrd"
    if name.endswith(".dcm") or "." not in Path(name).name:
        return "dicom-seg"
    raise ActionableError(
        "MASK_FORMAT_UNSUPPORTED",
        gettext_noop(
            "%(name)s is not a mask format the platform reads. Use a NIfTI label map (.nii, "
            ".nii.gz), a 3D Slicer segmentation (.seg.nrrd) or a DICOM SEG file (.dcm)."
        ),
        name=Path(file_name).name[:120],
    )


MAP_MESSAGES = {
    "custom label map": gettext_noop(
        "The custom label map must be a JSON object that maps values to regions, such as "
        '{"1": "ED", "2": "NCR", "3": "ET"}.'
    ),
    "segment map": gettext_noop(
        "The segment map must be a JSON object that maps segment names to regions, such as "
        '{"Tumor core": "TC", "Edema": "WT"}.'
    ),
}


def _map_invalid(what: str) -> ActionableError:
    return ActionableError("MASK_IMPORT_MAP_INVALID", MAP_MESSAGES[what])


def _parse_map(text: str, what: str) -> dict[str, str] | None:
    if not text.strip():
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        value = None
    if not isinstance(value, dict):
        raise _map_invalid(what)
    return {str(k): str(v) for k, v in value.items()}


def read_imported(
    *, case: Case, path: Path, file_name: str, convention: str, custom_map: str, segment_map: str
) -> ImportedMask:
    definition = case.project.protocol_version.definition
    regions = ProtocolRegions.from_definition(definition)
    grid = _reference_grid(case)
    kind = mask_format(file_name)
    _check_declared_size(kind, path)
    if kind == "nifti":
        chosen = None
        if convention == "custom":
            names = _parse_map(custom_map, "custom label map")
            if not names:
                raise _map_invalid("custom label map")
            chosen = custom_convention(names, regions=regions)
        elif convention:
            chosen = convention_by_key(convention, regions)
        return read_nifti_labels(path, grid, convention=chosen, regions=regions)
    segments = _parse_map(segment_map, "segment map")
    if kind == "seg-nrrd":
        return read_seg_nrrd(path, grid, segment_regions=segments, regions=regions)
    return read_dicom_seg(path, grid, segment_regions=segments, regions=regions)


def _declared_shape(kind: str, path: Path) -> tuple[int, ...] | None:
    """Return the array shape a mask file's header declares, reading no voxels.

    None when the header is unreadable: the format's reader then reports it with its own message.
    """
    try:
        if kind == "nifti":
            return tuple(int(n) for n in nib.load(str(path)).header.get_data_shape())
        if kind == "seg-nrrd":
            return tuple(int(n) for n in nrrd.read_header(str(path))["sizes"])
        dataset = pydicom.dcmread(path, stop_before_pixels=True)
        frames = int(dataset.get("NumberOfFrames") or 1)
        return (frames, int(dataset.Rows), int(dataset.Columns))
    except (
        ImageFileError,
        nrrd.NRRDError,
        InvalidDicomError,
        OSError,
        EOFError,
        ValueError,
        KeyError,
        AttributeError,
        TypeError,
        zlib.error,
    ):
        return None


def _check_declared_size(kind: str, path: Path) -> None:
    """Reject a mask file whose header declares more voxels than NIFTI_MAX_VOXELS.

    Only the header is read, so a file that declares a huge array (or a small compressed stream
    that inflates to one) fails here instead of exhausting memory in the reader.
    """
    shape = _declared_shape(kind, path)
    voxels = math.prod(shape) if shape else 0
    if voxels > settings.NIFTI_MAX_VOXELS:
        raise ActionableError(
            "MASK_TOO_LARGE",
            gettext_noop(
                "The mask header declares %(shape)s voxels (%(voxels)s in all), more than the "
                "limit of %(limit)s. Check that the file is a label map of this study."
            ),
            shape="x".join(str(n) for n in shape or ()),
            voxels=voxels,
            limit=settings.NIFTI_MAX_VOXELS,
        )


def _reference_grid(case: Case) -> Grid:
    case_grid(case)  # raises when the study has no grid yet
    reference = case.study.reference_series
    if reference is None or not reference.aligned_key:
        raise ActionableError(
            "CASE_NOT_READY",
            gettext_noop("Case %(case)s has no reference grid yet; wait until its study is ready."),
            case=case.label,
        )
    with local_path(object_storage(), reference.aligned_key, ".nii.gz") as path:
        return Grid.of_file(Path(path))


def mask_import(
    *,
    case: Case,
    user: User,
    path: Path,
    file_name: str,
    convention: str = "",
    custom_map: str = "",
    segment_map: str = "",
    confirm: bool = False,
    base_version_id: int | None = None,
) -> ImportOutcome:
    """Import a mask file onto the case; save it unless its mapping still needs a confirmation."""
    imported = read_imported(
        case=case,
        path=path,
        file_name=file_name,
        convention=convention,
        custom_map=custom_map,
        segment_map=segment_map,
    )
    preview = {
        "format": mask_format(file_name),
        "placement": imported.placement,
        "mapping": imported.mapping.as_dict(),
        "warnings": [warning.as_dict() for warning in imported.warnings],
        "needs_confirmation": not imported.mapping.declared or bool(imported.warnings),
    }
    if preview["needs_confirmation"] and not confirm:
        return ImportOutcome(saved=None, preview=preview)
    raw = np.asfortranarray(imported.bitmask).tobytes(order="F")
    version = mask_version_save(
        case=case,
        user=user,
        payload=raw,
        encoding="identity",
        kind="full",
        checksum="",
        base_version_id=base_version_id,
        overrides=[],
        source=MaskVersion.Source.IMPORTED,
        details={"import": {k: preview[k] for k in ("format", "placement", "mapping")}},
    )
    logger.info(
        "case %s: mask imported as version %s (%s)", case.pk, version.number, preview["format"]
    )
    return ImportOutcome(saved=version, preview=preview)
