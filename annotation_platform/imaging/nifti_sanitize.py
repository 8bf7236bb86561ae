"""Strip identifying text from dcm2niix outputs: NIfTI header text and extensions, JSON sidecars.

dcm2niix copies institution, device serial, protocol name and image comments into its JSON
sidecar and the NIfTI aux_file even with its anonymise option, so its output is treated as
untrusted: NIfTI text fields are cleared and the sidecar keeps only an allow-list of
acquisition parameters.
"""

import logging
import os
import shutil
from pathlib import Path
from typing import Any

import nibabel as nib
from nibabel.openers import ImageOpener

logger = logging.getLogger(__name__)

# Free-text fields of the NIfTI-1 header; NIfTI-2 lacks db_name and data_type.
NIFTI_TEXT_FIELDS = ("descrip", "aux_file", "intent_name", "db_name", "data_type")

# Sidecar keys kept from dcm2niix's BIDS JSON: coded or numeric acquisition parameters that
# sequence recognition and quality grading use. Left out on purpose are institution, station,
# device serial, software versions, dates and times, protocol, series and study descriptions,
# sequence names, comments and contrast agent. These are free text or identifying, and most
# are removed by DICOM PS3.15 Table E.1-1. dcm2niix's BidsGuess goes too, because it derives
# from them. Manufacturer and model stay, because the Basic Profile keeps them and they
# explain image contrast.
SIDECAR_KEYS = frozenset(
    {
        "Modality",
        "MagneticFieldStrength",
        "ImagingFrequency",
        "Manufacturer",
        "ManufacturersModelName",
        "BodyPartExamined",
        "PatientPosition",
        "MRAcquisitionType",
        "ScanningSequence",
        "SequenceVariant",
        "ScanOptions",
        "PulseSequenceType",
        "ImageType",
        "SeriesNumber",
        "SliceThickness",
        "SpacingBetweenSlices",
        "EchoTime",
        "EchoNumber",
        "EchoTrainLength",
        "RepetitionTime",
        "InversionTime",
        "FlipAngle",
        "PixelBandwidth",
        "PercentPhaseFOV",
        "PercentSampling",
        "AcquisitionMatrixPE",
        "ReconMatrixPE",
        "PhaseEncodingDirection",
        "InPlanePhaseEncodingDirectionDICOM",
        "ImageOrientationPatientDICOM",
        "SliceTiming",
        "ParallelReductionFactorInPlane",
        "MultibandAccelerationFactor",
        "PartialFourier",
        "EffectiveEchoSpacing",
        "TotalReadoutTime",
        "ConversionSoftware",
        "ConversionSoftwareVersion",
    }
)
# Longer strings are not codes, so they are dropped even under an allowed key.
SIDECAR_MAX_TEXT = 64


def sanitize_nifti_header(path: Path) -> None:
    """Clear the free-text fields and header extensions of a NIfTI-1 or NIfTI-2 file in place.

    Voxel data, affines and every numeric field stay as they were: the new header is written
    and the data bytes are copied unchanged after it. Works on .nii and .nii.gz; the file is
    replaced atomically through a temporary file in the same folder.
    """
    image = nib.load(path)
    if not isinstance(image, nib.Nifti1Image | nib.Nifti2Image):
        raise ValueError(f"not a single-file NIfTI image: {path.name}")
    # A loaded image's header has vox_offset reset to 0, so the file's own header is read.
    with ImageOpener(str(path), "rb") as source:
        clean = type(image.header).from_fileobj(source)
    data_offset = int(clean["vox_offset"])
    for name in NIFTI_TEXT_FIELDS:
        if name in clean.keys():
            clean[name] = b""
    clean.extensions.clear()
    # With vox_offset 0, write_to sets the smallest offset for a header without extensions.
    clean["vox_offset"] = 0

    # The temporary name keeps the suffix, so ImageOpener compresses exactly when the original is.
    temporary = path.with_name(f".sanitizing-{path.name}")
    try:
        with ImageOpener(str(path), "rb") as source, ImageOpener(str(temporary), "wb") as target:
            clean.write_to(target)
            source.seek(data_offset)
            shutil.copyfileobj(source, target, 1 << 20)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def filter_sidecar(sidecar: dict[str, Any]) -> dict[str, Any]:
    """Return the allow-listed acquisition parameters of a dcm2niix JSON sidecar."""
    kept = {}
    for key in sorted(SIDECAR_KEYS & sidecar.keys()):
        value = sidecar[key]
        if _is_safe_value(value):
            kept[key] = value
    dropped = len(sidecar) - len(kept)
    logger.debug("Kept %d sidecar keys and dropped %d", len(kept), dropped)
    return kept


def _is_safe_value(value: Any) -> bool:
    if isinstance(value, bool | int | float):
        return True
    if isinstance(value, str):
        return len(value) <= SIDECAR_MAX_TEXT
    if isinstance(value, list):
        return all(
            isinstance(item, bool | int | float | str) and _is_safe_value(item) for item in value
        )
    return False
