"""NIfTI label maps: import (ITK-SNAP, MITK, BraTS and nnU-Net files) and fast, exact encoding.

Voxels are read as stored, never through `get_fdata()`, which would return float64 at eight
times the memory: integer files stay integer, and a file with scl_slope/scl_inter scaling comes
back as floats that must then lie close to whole labels.
"""

import gzip
import io
import logging
import zlib
from pathlib import Path

import nibabel as nib
import numpy as np
from nibabel.filebasedimages import ImageFileError

from annotation_platform.errors import ActionableError, gettext_noop
from annotation_platform.exchange.conventions import (
    Convention,
    choose_convention,
    label_counts,
    label_map_to_bitmask,
)
from annotation_platform.exchange.geometry import AFFINE_TOLERANCE_MM, Grid, fit_to_grid
from annotation_platform.exchange.regions import ProtocolRegions, cns_regions
from annotation_platform.exchange.results import ImportedMask
from annotation_platform.exchange.voxel_values import as_label_array

logger = logging.getLogger(__name__)

# Level 1 deflate: a uint8 mask compresses in milliseconds, and higher levels gain little.
GZIP_LEVEL = 1
NIFTI_INTENT_LABEL = "label"
# Used when the reference image had neither code set: "aligned to another image".
CODE_ALIGNED = 2


def unreadable(format_name: str) -> ActionableError:
    # The library's own message often contains the upload's file name, so it is not passed on.
    return ActionableError(
        "MASK_FILE_UNREADABLE",
        gettext_noop(
            "The file could not be read as %(format)s. Check that it is complete and really is "
            "a %(format)s file, then upload it again."
        ),
        format=format_name,
    )


def load_nifti_voxels(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Read the voxels (as stored, or scaled floats) and the voxel-to-RAS affine of a NIfTI file."""
    try:
        image = nib.load(str(path), mmap=False)
        if not isinstance(image, nib.Nifti1Image):
            raise unreadable("NIfTI")
        data = np.asanyarray(image.dataobj)
    except (ImageFileError, OSError, EOFError, ValueError, zlib.error) as error:
        logger.info("NIfTI mask unreadable: %s", type(error).__name__)
        raise unreadable("NIfTI") from None
    return np.asarray(data), np.asarray(image.affine, dtype=np.float64)


def read_nifti_labels(
    path: Path,
    grid: Grid,
    *,
    convention: Convention | None = None,
    regions: ProtocolRegions | None = None,
    strict: bool = False,
    tolerance_mm: float = AFFINE_TOLERANCE_MM,
) -> ImportedMask:
    """Import a NIfTI label map onto the study grid and convert it to the protocol bitmask.

    `convention` gives the meaning of the values. Without one, only values 1-3 are accepted (read as
    BraTS 2023 with a LABEL_CONVENTION_ASSUMED warning) and a value 4 raises
    AMBIGUOUS_LABEL_CONVENTION. Raises MASK_FILE_UNREADABLE, MASK_NOT_INTEGER,
    MASK_VALUES_OUT_OF_RANGE, MASK_GRID_MISMATCH and the conventions' errors.
    """
    regions = regions or cns_regions()
    data, affine = load_nifti_voxels(path)
    labels, warnings = as_label_array(data)
    del data

    present = np.flatnonzero(label_counts(labels))
    chosen, convention_warnings = choose_convention(present, convention)
    fit = fit_to_grid(labels, affine, grid, tolerance_mm=tolerance_mm)
    bitmask, mapping, mapping_warnings = label_map_to_bitmask(
        fit.array, chosen, regions=regions, declared=convention is not None, strict=strict
    )
    warnings += convention_warnings + fit.warnings + mapping_warnings
    return ImportedMask(bitmask, fit.array, mapping, fit.placement, warnings)


def encode_nifti(array: np.ndarray, grid: Grid, *, description: str = "") -> bytes:
    """Encode a uint8 array on `grid` as .nii.gz bytes.

    The header carries the grid's affine as both qform and sform, with the codes the reference
    image had. A code left at 0 takes the other one, or 2 ("aligned") when both were 0. The
    header also sets the label intent and `description` (at most 79 ASCII characters). The gzip
    stream has no file name and a zero time stamp, so equal masks give equal bytes.
    """
    if array.shape != grid.shape:
        raise ValueError(f"array shape {array.shape} differs from grid shape {grid.shape}")
    image = nib.Nifti1Image(np.asfortranarray(array, dtype=np.uint8), grid.affine)
    header = image.header
    qform_code = grid.qform_code or grid.sform_code or CODE_ALIGNED
    sform_code = grid.sform_code or grid.qform_code or CODE_ALIGNED
    header.set_qform(grid.affine, code=qform_code)
    header.set_sform(grid.affine, code=sform_code)
    header.set_xyzt_units("mm")
    header.set_intent(NIFTI_INTENT_LABEL)
    header.set_slope_inter(1.0, 0.0)
    header["descrip"] = description.encode("ascii", "replace")[:79]

    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=GZIP_LEVEL, mtime=0) as stream:
        image.to_stream(stream)
    return buffer.getvalue()
