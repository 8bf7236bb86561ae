"""Export layouts: NIfTI files per region or label convention, a BraTS case folder, and an
nnU-Net v2 raw dataset. Each writer writes one case into an `ExportTarget` and returns.

Every mask file is written on the grid of the images it belongs to, with that grid's affine
as both qform and sform. Images are copied byte for byte after a header check that they lie on
the mask's grid, so the mask and its images always agree voxel for voxel.
"""

import json
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from pydicom.dataset import Dataset

from annotation_platform.errors import ActionableError, gettext_noop
from annotation_platform.exchange.conventions import (
    BRATS_2023,
    NNUNET_BRATS_REGIONS,
    Convention,
    bitmask_to_label_map,
)
from annotation_platform.exchange.dicom_seg import encode_dicom_seg
from annotation_platform.exchange.geometry import AFFINE_TOLERANCE_MM, Grid
from annotation_platform.exchange.naming import export_file_name, safe_component
from annotation_platform.exchange.nifti import encode_nifti
from annotation_platform.exchange.regions import ProtocolRegions, cns_regions
from annotation_platform.exchange.results import ExchangeWarning, WrittenFiles
from annotation_platform.exchange.seg_nrrd import encode_seg_nrrd
from annotation_platform.exchange.targets import ExportTarget
from annotation_platform.imaging.volumes import gzip_file

# BraTS 2023 file suffixes for the protocol's sequences.
BRATS_SUFFIXES = {"T1": "t1n", "T1c": "t1c", "T2": "t2w", "FLAIR": "t2f"}
# Channel order of nnU-Net's own BraTS conversion (Dataset137), so that models trained there
# take our exports as they are: 0000 T1, 0001 T1c, 0002 T2, 0003 FLAIR.
NNUNET_CHANNELS = ("T1", "T1c", "T2", "FLAIR")
NNUNET_LABELS: dict[str, Any] = {
    "background": 0,
    "whole tumor": [1, 2, 3],
    "tumor core": [2, 3],
    "enhancing tumor": [3],
}
NIFTI_ENDING = ".nii.gz"


def write_region_niftis(
    target: ExportTarget,
    bitmask: np.ndarray,
    grid: Grid,
    *,
    patient_id: str,
    regions: ProtocolRegions | None = None,
    folder: str = "",
) -> WrittenFiles:
    """Write one binary uint8 NIfTI per region (WT, TC, ET and the derived NET).

    Names follow the protocol's pattern, e.g. GLI0001_FLAIR_WT.nii.gz: the sequence is the one
    the region is drawn on, and the reference sequence for derived regions.
    """
    regions = regions or cns_regions()
    files = []
    for key in regions.keys:
        selected = regions.select(bitmask, _expression(key))
        name = export_file_name(
            regions.naming_pattern,
            patient_id=patient_id,
            sequence=regions.sequence_of(key),
            label=key,
        )
        member = _member(folder, name)
        target.write_bytes(member, encode_nifti(selected, grid, description=f"region {key}"))
        files.append(member)
    return WrittenFiles(files, [])


def _expression(key: str) -> dict[str, Any]:
    return {"op": "region", "of": [key]}


def _member(folder: str, name: str) -> str:
    return f"{folder}/{name}" if folder else name


def write_label_map_nifti(
    target: ExportTarget,
    bitmask: np.ndarray,
    grid: Grid,
    *,
    patient_id: str,
    convention: Convention,
    regions: ProtocolRegions | None = None,
    folder: str = "",
) -> WrittenFiles:
    """Write the disjoint label map of one convention, named with the convention as the label
    (GLI0001_T1c_brats-2023.nii.gz); the header description names the values too."""
    regions = regions or cns_regions()
    name = export_file_name(
        regions.naming_pattern,
        patient_id=patient_id,
        sequence=regions.reference_sequence,
        label=convention.key,
    )
    member = _member(folder, name)
    warnings = _write_label_map(target, member, bitmask, grid, convention, regions)
    return WrittenFiles([member], warnings)


def _write_label_map(
    target: ExportTarget,
    member: str,
    bitmask: np.ndarray,
    grid: Grid,
    convention: Convention,
    regions: ProtocolRegions,
) -> list[ExchangeWarning]:
    labels, warnings = bitmask_to_label_map(bitmask, convention, regions=regions)
    target.write_bytes(member, encode_nifti(labels, grid, description=describe(convention)))
    return warnings


def describe(convention: Convention) -> str:
    """Summarise a convention for the NIfTI description field (79 characters at most)."""
    values = " ".join(f"{label.value}={label.name}" for label in convention.labels)
    return f"labels {convention.key}: {values}"[:79]


def write_seg_nrrd(
    target: ExportTarget,
    bitmask: np.ndarray,
    grid: Grid,
    *,
    patient_id: str,
    regions: ProtocolRegions | None = None,
    folder: str = "",
) -> WrittenFiles:
    """Write the drawn regions as a 3D Slicer segmentation (GLI0001_T1c_regions.seg.nrrd)."""
    regions = regions or cns_regions()
    name = export_file_name(
        regions.naming_pattern,
        patient_id=patient_id,
        sequence=regions.reference_sequence,
        label="regions",
        extension=".seg.nrrd",
    )
    member = _member(folder, name)
    target.write_bytes(member, encode_seg_nrrd(bitmask, grid, regions=regions))
    return WrittenFiles([member], [])


def write_dicom_seg(
    target: ExportTarget,
    bitmask: np.ndarray,
    grid: Grid,
    source_images: Sequence[Dataset],
    *,
    patient_id: str,
    sequence: str,
    regions: ProtocolRegions | None = None,
    folder: str = "",
) -> WrittenFiles:
    """Write a DICOM SEG referencing the de-identified `source_images` of the series drawn on
    `sequence` (GLI0001_T1c_SEG.dcm); see `encode_dicom_seg` for what it contains and raises."""
    regions = regions or cns_regions()
    name = export_file_name(
        regions.naming_pattern,
        patient_id=patient_id,
        sequence=sequence,
        label="SEG",
        extension=".dcm",
    )
    member = _member(folder, name)
    encoded, warnings = encode_dicom_seg(bitmask, grid, source_images, regions=regions)
    target.write_bytes(member, encoded)
    return WrittenFiles([member], warnings)


def write_brats_case(
    target: ExportTarget,
    case_id: str,
    bitmask: np.ndarray,
    grid: Grid,
    images: Mapping[str, Path],
    *,
    convention: Convention = BRATS_2023,
    regions: ProtocolRegions | None = None,
    tolerance_mm: float = AFFINE_TOLERANCE_MM,
) -> WrittenFiles:
    """Write <case>/<case>-t1n|t1c|t2w|t2f.nii.gz and <case>/<case>-seg.nii.gz (BraTS 2023 names).

    `images` maps the protocol's sequences (T1, T1c, T2, FLAIR) to NIfTI files on the mask's
    grid. The segmentation uses `convention`'s values as uint8. Raises
    EXPORT_SEQUENCE_MISSING and EXPORT_GRID_MISMATCH.
    """
    regions = regions or cns_regions()
    case = safe_component(case_id)
    sources = _checked_images(images, list(BRATS_SUFFIXES), grid, tolerance_mm)
    files = []
    for source, suffix in zip(sources, BRATS_SUFFIXES.values(), strict=True):
        member = f"{case}/{case}-{suffix}{NIFTI_ENDING}"
        _copy_image(target, member, source)
        files.append(member)
    member = f"{case}/{case}-seg{NIFTI_ENDING}"
    warnings = _write_label_map(target, member, bitmask, grid, convention, regions)
    return WrittenFiles([*files, member], warnings)


def _checked_images(
    images: Mapping[str, Path], sequences: list[str], grid: Grid, tolerance_mm: float
) -> list[Path]:
    """Return the images of `sequences` in order, after checking every header grid first, so
    that a failing check leaves no half-written case behind."""
    for sequence in sequences:
        if sequence not in images:
            raise ActionableError(
                "EXPORT_SEQUENCE_MISSING",
                gettext_noop(
                    "The case has no %(sequence)s volume, which this export layout needs. "
                    "Convert and align that series, or choose another layout."
                ),
                sequence=sequence,
            )
        image_grid = Grid.of_file(images[sequence])
        if not grid.matches(image_grid.shape, image_grid.affine, tolerance_mm):
            raise ActionableError(
                "EXPORT_GRID_MISMATCH",
                gettext_noop(
                    "The %(sequence)s volume (%(image_grid)s) is not on the annotation's grid "
                    "(%(mask_grid)s). Align the sequences to the reference before exporting."
                ),
                sequence=sequence,
                image_grid=image_grid.summary(),
                mask_grid=grid.summary(),
            )
    return [images[sequence] for sequence in sequences]


def _copy_image(target: ExportTarget, member: str, source: Path) -> None:
    """Copy an image byte for byte; plain .nii files are gzipped on the way."""
    if source.name.endswith(".gz"):
        target.write_file(member, source)
        return
    with tempfile.TemporaryDirectory() as folder:
        target.write_file(member, gzip_file(source, Path(folder) / "image.nii.gz"))


def write_nnunet_case(
    target: ExportTarget,
    case_id: str,
    bitmask: np.ndarray,
    grid: Grid,
    images: Mapping[str, Path],
    *,
    regions: ProtocolRegions | None = None,
    tolerance_mm: float = AFFINE_TOLERANCE_MM,
) -> WrittenFiles:
    """Write imagesTr/<case>_0000..0003.nii.gz and labelsTr/<case>.nii.gz of an nnU-Net v2 raw
    dataset; labels are 1 oedema, 2 non-enhancing core, 3 enhancing (region training)."""
    regions = regions or cns_regions()
    case = safe_component(case_id)
    sources = _checked_images(images, list(NNUNET_CHANNELS), grid, tolerance_mm)
    files = []
    for channel, source in enumerate(sources):
        member = f"imagesTr/{case}_{channel:04d}{NIFTI_ENDING}"
        _copy_image(target, member, source)
        files.append(member)
    member = f"labelsTr/{case}{NIFTI_ENDING}"
    warnings = _write_label_map(target, member, bitmask, grid, NNUNET_BRATS_REGIONS, regions)
    return WrittenFiles([*files, member], warnings)


def nnunet_dataset_json(num_training: int, *, name: str = "") -> dict[str, Any]:
    """Build the dataset.json of an nnU-Net v2 raw dataset with BraTS region-based training."""
    dataset: dict[str, Any] = {
        "channel_names": {str(index): sequence for index, sequence in enumerate(NNUNET_CHANNELS)},
        "labels": NNUNET_LABELS,
        "regions_class_order": [1, 2, 3],
        "numTraining": num_training,
        "file_ending": NIFTI_ENDING,
    }
    if name:
        dataset["name"] = name
    return dataset


def write_nnunet_dataset_json(target: ExportTarget, num_training: int, *, name: str = "") -> str:
    """Write dataset.json once all cases are written (numTraining counts them)."""
    document = json.dumps(nnunet_dataset_json(num_training, name=name), indent=2)
    target.write_bytes("dataset.json", document.encode("utf-8"))
    return "dataset.json"
