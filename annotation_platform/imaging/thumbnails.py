"""Thumbnails of NIfTI volumes and a header-only summary of their grid.

Thumbnails follow the radiological display convention, whatever the voxel order on disk.
Axial and coronal slices show the patient's right on the image's left, so patient left is on
the image's right. Axial slices have anterior at the top, coronal and sagittal slices superior
at the top, and sagittal slices show anterior on the left. The voxel axis nearest to the slice
normal is used, so an oblique volume shows its nearest voxel slice, not a resampled plane.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import nibabel as nib
import numpy as np
from nibabel.affines import voxel_sizes
from PIL import Image

from annotation_platform.errors import ActionableError, gettext_noop

# Slice normal (RAS world axis: 0 = R, 1 = A, 2 = S), then the world axes shown along the image
# rows and columns. Both run towards decreasing R/A/S: rows top to bottom, columns left to right.
VIEWS = {
    "axial": (2, 1, 0),  # anterior at the top, patient right on the left
    "coronal": (1, 2, 0),  # superior at the top, patient right on the left
    "sagittal": (0, 2, 1),  # superior at the top, anterior on the left
}
MIN_SIZE, MAX_SIZE = 16, 2048
WINDOW_PERCENTILES = (1.0, 99.0)


def nifti_grid(path: Path | str) -> dict[str, Any]:
    """Summarise a NIfTI file's grid from its header alone, as JSON-compatible values.

    Returns shape (every dimension), spacing_mm (from the affine, per voxel axis), affine
    (4x4, RAS+ mm), orientation (nibabel axis codes such as ['L', 'P', 'S']) and dtype.
    """
    image = _load(Path(path))
    affine = image.affine
    return {
        "shape": [int(size) for size in image.shape],
        "spacing_mm": [float(size) for size in voxel_sizes(affine)],
        "affine": [[float(value) for value in row] for row in affine],
        "orientation": [str(code) for code in nib.aff2axcodes(affine)],
        "dtype": str(image.get_data_dtype()),
    }


def middle_slice_png(nifti_path: Path | str, *, size: int = 256, axis: str = "axial") -> bytes:
    """Render the middle slice of a volume as an 8-bit greyscale PNG, radiological orientation.

    Intensities are windowed to the 1st-99th percentile of the slice's non-zero finite voxels.
    The longer image side is `size` pixels and the aspect ratio follows the voxel spacing. 4D
    and higher volumes show their first volume; NaN shows as black.
    """
    if axis not in VIEWS:
        raise ValueError(f"axis must be one of {sorted(VIEWS)}, not {axis!r}")
    if not MIN_SIZE <= size <= MAX_SIZE:
        raise ValueError(f"size must be between {MIN_SIZE} and {MAX_SIZE} pixels, not {size}")
    image = _load(Path(nifti_path))
    try:
        plane, spacing = _display_slice(image, axis)
    except (OSError, EOFError, ValueError) as error:  # voxel data shorter than the header says
        raise ActionableError(
            "NIFTI_UNREADABLE",
            gettext_noop(
                "The volume's voxel data could not be read (%(reason)s). Convert it again."
            ),
            reason=type(error).__name__,
        ) from error
    pixels = _window(plane)
    return _encode(pixels, spacing, size)


def _load(path: Path) -> nib.Nifti1Image:
    try:
        image = nib.load(path)
    except (OSError, nib.filebasedimages.ImageFileError, ValueError) as error:
        raise ActionableError(
            "NIFTI_UNREADABLE",
            gettext_noop("The volume could not be read as NIfTI (%(reason)s). Convert it again."),
            reason=type(error).__name__,
        ) from error
    if not isinstance(image, nib.Nifti1Image | nib.Nifti2Image):
        raise ActionableError(
            "NIFTI_UNREADABLE",
            gettext_noop("The volume is not a NIfTI file (%(reason)s). Convert it again."),
            reason=type(image).__name__,
        )
    if len(image.shape) < 3:
        raise ActionableError(
            "NIFTI_NOT_A_VOLUME",
            gettext_noop("The NIfTI file has shape %(shape)s, not a volume of 3 or more axes."),
            shape=[int(size) for size in image.shape],
        )
    return image


def _display_slice(image: nib.Nifti1Image, axis: str) -> tuple[np.ndarray, tuple[float, float]]:
    """Read only the middle slice and arrange it as (rows, columns) in display order.

    Returns the slice and its (row, column) spacing in mm.
    """
    normal, row_axis, column_axis = VIEWS[axis]
    orientation = nib.io_orientation(image.affine)  # per voxel axis: (RAS axis, +1 or -1)
    voxel_axis_of = {int(world): voxel for voxel, (world, _) in enumerate(orientation[:3])}
    slice_axis = voxel_axis_of[normal]

    # Count the middle in world order, so an even-sized axis picks the same physical slice
    # whichever way it is stored.
    count = image.shape[slice_axis]
    middle = count // 2 if orientation[slice_axis][1] > 0 else count - 1 - count // 2
    index: list[int | slice] = [slice(None)] * 3 + [0] * (len(image.shape) - 3)
    index[slice_axis] = middle
    plane = np.asanyarray(image.dataobj[tuple(index)])

    kept = [voxel for voxel in range(3) if voxel != slice_axis]  # plane axes, in voxel order
    wanted = [voxel_axis_of[row_axis], voxel_axis_of[column_axis]]
    if kept != wanted:
        plane = plane.T
    for position, voxel in enumerate(wanted):
        if orientation[voxel][1] > 0:  # index increases towards R, A or S: reverse it
            plane = np.flip(plane, axis=position)
    spacing = voxel_sizes(image.affine)
    return plane, (float(spacing[wanted[0]]), float(spacing[wanted[1]]))


def _window(plane: np.ndarray) -> np.ndarray:
    """Map the 1st-99th percentile of the non-zero finite voxels to 0-255."""
    values = np.asarray(plane, dtype=np.float64)
    finite = np.isfinite(values)
    values = np.where(finite, values, 0.0)
    foreground = values[values != 0]
    if foreground.size == 0:
        return np.zeros(values.shape, dtype=np.uint8)
    low, high = np.percentile(foreground, WINDOW_PERCENTILES)
    if high <= low:
        # A constant foreground: show it white on a black background.
        return np.where(values != 0, 255, 0).astype(np.uint8)
    scaled = (values - low) / (high - low) * 255.0
    return np.clip(np.rint(scaled), 0, 255).astype(np.uint8)


def _encode(pixels: np.ndarray, spacing: tuple[float, float], size: int) -> bytes:
    rows, columns = pixels.shape
    height_mm, width_mm = rows * spacing[0], columns * spacing[1]
    scale = size / max(height_mm, width_mm)
    target = (max(1, round(width_mm * scale)), max(1, round(height_mm * scale)))
    picture = Image.fromarray(np.ascontiguousarray(pixels), mode="L")
    picture = picture.resize(target, Image.Resampling.BILINEAR)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue()
