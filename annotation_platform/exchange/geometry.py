"""Fit an imported label array onto the study's reference grid, exactly where the geometry
allows and by nearest neighbour through world coordinates where it does not.

Arrays are indexed [i, j, k] in the voxel order of their own affine, which maps (i, j, k, 1) to
NIfTI RAS+ millimetres. Nothing here guesses a flip: every reordering comes from the affines.
"""

from dataclasses import dataclass
from itertools import product
from pathlib import Path
from typing import Any

import nibabel as nib
import numpy as np
from nibabel.filebasedimages import ImageFileError
from nibabel.orientations import apply_orientation, inv_ornt_aff, io_orientation, ornt_transform

from annotation_platform.errors import ActionableError, gettext_noop
from annotation_platform.exchange.results import ExchangeWarning

# Two grids are the same when every corner voxel centre lies within this distance.
AFFINE_TOLERANCE_MM = 1e-3
# Below this fraction of labelled voxels inside the study grid, the mask is taken to belong to
# another grid or space and is rejected. Above it, the voxels outside are dropped with a warning.
MIN_INSIDE_FRACTION = 0.95
# Added before rounding to nearest so that centres exactly halfway between two source voxels
# always take the higher index, whatever the floating-point noise.
TIE_BREAK = 1e-6


@dataclass(frozen=True, eq=False)
class Grid:
    """A voxel grid: shape, voxel-to-RAS affine and the NIfTI codes its reference image had."""

    shape: tuple[int, int, int]
    affine: np.ndarray
    qform_code: int = 1
    sform_code: int = 1

    @classmethod
    def of_image(cls, image: nib.Nifti1Image) -> "Grid":
        header = image.header
        return cls(
            shape=(int(image.shape[0]), int(image.shape[1]), int(image.shape[2])),
            affine=np.asarray(image.affine, dtype=np.float64),
            qform_code=int(header["qform_code"]),
            sform_code=int(header["sform_code"]),
        )

    @classmethod
    def of_file(cls, path: Path) -> "Grid":
        """Read the grid of a NIfTI file from its header, without reading voxel data.

        Raises GRID_UNREADABLE; the message leaves out the file name, which may identify the
        patient when the file is an upload.
        """
        try:
            image = nib.load(str(path))
        except (ImageFileError, OSError, EOFError, ValueError):
            image = None
        if not isinstance(image, nib.Nifti1Image) or len(image.shape) < 3:
            raise ActionableError(
                "GRID_UNREADABLE",
                gettext_noop(
                    "A volume of the study is not a readable 3D NIfTI image, so it has no grid. "
                    "Convert the series again."
                ),
            )
        return cls.of_image(image)

    def matches(self, shape: tuple[int, ...], affine: np.ndarray, tolerance_mm: float) -> bool:
        if tuple(shape) != self.shape:
            return False
        return corner_distance(self.shape, self.affine, affine) <= tolerance_mm

    def summary(self) -> str:
        return describe_grid(self.shape, self.affine)


@dataclass(eq=False)
class Fit:
    """The result of `fit_to_grid`: the array on the study grid and how it got there."""

    array: np.ndarray
    placement: str
    warnings: list[ExchangeWarning]


def describe_grid(shape: tuple[int, ...], affine: np.ndarray) -> str:
    """Summarise a grid for messages: shape, axis codes, spacing and origin in RAS mm."""
    spacing = np.sqrt((np.asarray(affine)[:3, :3] ** 2).sum(axis=0))
    axes = "".join(str(code) for code in nib.aff2axcodes(affine))
    size = "x".join(str(int(n)) for n in shape)
    step = " x ".join(f"{value:g}" for value in np.round(spacing, 4))
    origin = ", ".join(f"{value:g}" for value in np.round(np.asarray(affine)[:3, 3], 3))
    return f"{size} voxels, {axes}, spacing {step} mm, origin ({origin}) mm"


def corner_distance(shape: tuple[int, ...], first: np.ndarray, second: np.ndarray) -> float:
    """Return the largest distance in mm between the corner voxel centres of a grid of `shape`
    under two affines."""
    corners = np.array([[*corner, 1.0] for corner in product(*[(0, n - 1) for n in shape[:3]])])
    moved = (corners @ np.asarray(first).T)[:, :3] - (corners @ np.asarray(second).T)[:, :3]
    return float(np.sqrt((moved**2).sum(axis=1)).max())


# One template per reason, so that every message translates whole.
GRID_MISMATCH_TEMPLATES = {
    "dimensions": gettext_noop(
        "The mask has %(dimensions)s dimensions, but it must be one 3D volume. Mask grid: "
        "%(mask_grid)s. Study grid: %(study_grid)s. Save the mask as a 3D volume and try again."
    ),
    "affine": gettext_noop(
        "The mask's affine is not an invertible 4x4 matrix, so its voxels have no position. "
        "Mask grid: %(mask_grid)s. Study grid: %(study_grid)s. Save the mask again from the "
        "program that made it."
    ),
    "disjoint": gettext_noop(
        "The mask and the study grid do not overlap. Mask grid: %(mask_grid)s. Study grid: "
        "%(study_grid)s. Export the mask from the images of this study and try again."
    ),
    "outside": gettext_noop(
        "Only %(inside)s of the mask's %(labelled)s labelled voxels lie inside the study grid. "
        "Mask grid: %(mask_grid)s. Study grid: %(study_grid)s. Export the mask from the images "
        "of this study and try again."
    ),
}


def grid_mismatch(
    reason: str, shape: tuple[int, ...], affine: np.ndarray | None, grid: Grid, **params: Any
) -> ActionableError:
    """Build the MASK_GRID_MISMATCH error for a reason of GRID_MISMATCH_TEMPLATES."""
    mask_grid = describe_grid(shape, affine) if affine is not None else "x".join(map(str, shape))
    return ActionableError(
        "MASK_GRID_MISMATCH",
        GRID_MISMATCH_TEMPLATES[reason],
        reason=reason,
        mask_grid=mask_grid,
        study_grid=grid.summary(),
        **params,
    )


def fit_to_grid(
    array: np.ndarray,
    affine: np.ndarray,
    grid: Grid,
    *,
    tolerance_mm: float = AFFINE_TOLERANCE_MM,
    min_inside_fraction: float = MIN_INSIDE_FRACTION,
) -> Fit:
    """Place a 3D uint8 array (labels or bitmask) with its voxel-to-RAS `affine` on `grid`.

    The placements, in order of preference:
    1. identical: the same grid.
    2. reoriented: the same voxel centres in another axis order or direction, reordered
       exactly through nibabel's orientation tools.
    3. placed: a sub- or super-grid of the same lattice at a whole-voxel offset, exact.
    4. resampled: any other grid in the same space, by nearest neighbour through world
       coordinates, with a warning.
    Raises MASK_GRID_MISMATCH for arrays that are not 3D, affines that are not invertible, and
    masks whose labelled voxels lie mostly or wholly outside the grid. The result is
    Fortran-ordered, as NIfTI stores voxels.

    NOTE: both affines must describe the same world space. A mask in an atlas space (BraTS
    SRI24) and a study grid in scanner space overlap by chance only, and the check on labelled
    voxels inside the grid is the one guard against such a pair.
    """
    array = _as_3d(array, affine, grid)
    affine = np.asarray(affine, dtype=np.float64)
    if grid.matches(array.shape, affine, tolerance_mm):
        return Fit(np.asfortranarray(array), "identical", [])

    reoriented, reoriented_affine = reorient_like(array, affine, grid.affine)
    if grid.matches(reoriented.shape, reoriented_affine, tolerance_mm):
        return Fit(np.asfortranarray(reoriented), "reoriented", [])

    offset = lattice_offset(reoriented.shape, reoriented_affine, grid.affine, tolerance_mm)
    if offset is not None:
        placed, inside = _place(reoriented, offset, grid.shape)
        if placed is None:
            raise grid_mismatch("disjoint", array.shape, affine, grid)
        warnings = _coverage(reoriented, inside, reoriented_affine, grid, min_inside_fraction)
        return Fit(placed, "placed", warnings)

    resampled, covered = resample_nearest(array, affine, grid)
    if not covered:
        raise grid_mismatch("disjoint", array.shape, affine, grid)
    inside = count_labelled_inside(array, affine, grid)
    warnings = _coverage(array, inside, affine, grid, min_inside_fraction)
    warnings.insert(0, _resampled_warning(array.shape, affine, grid))
    return Fit(resampled, "resampled", warnings)


def _as_3d(array: np.ndarray, affine: np.ndarray, grid: Grid) -> np.ndarray:
    while array.ndim > 3 and array.shape[-1] == 1:
        array = array[..., 0]
    if array.ndim != 3:
        raise grid_mismatch("dimensions", array.shape, None, grid, dimensions=array.ndim)
    matrix = np.asarray(affine, dtype=np.float64)
    if matrix.shape != (4, 4) or not np.isfinite(matrix).all() or abs(np.linalg.det(matrix)) < 1e-9:
        raise grid_mismatch("affine", array.shape, None, grid)
    return array


def reorient_like(
    array: np.ndarray, affine: np.ndarray, target_affine: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Reorder and flip the axes of `array` to the axis order of `target_affine`.

    Returns the reordered view and its affine; voxel centres stay where they are in the world.
    """
    transform = ornt_transform(io_orientation(affine), io_orientation(target_affine))
    reoriented = apply_orientation(array, transform)
    return reoriented, affine @ inv_ornt_aff(transform, array.shape)


def lattice_offset(
    shape: tuple[int, ...], affine: np.ndarray, target_affine: np.ndarray, tolerance_mm: float
) -> np.ndarray | None:
    """Return the whole-voxel offset from a grid to `target_affine`'s lattice, or None.

    The offset exists when every corner voxel centre of the grid lands, within `tolerance_mm`,
    on the target voxel centre at its own index plus the offset (same axes and spacing).
    """
    continuous = np.linalg.solve(target_affine, affine)[:3, 3]
    offset = np.floor(continuous + 0.5).astype(np.int64)
    shifted = target_affine.copy()
    shifted[:3, 3] = (target_affine @ np.array([*offset, 1.0]))[:3]
    if corner_distance(shape, affine, shifted) <= tolerance_mm:
        return offset
    return None


def _place(
    array: np.ndarray, offset: np.ndarray, shape: tuple[int, int, int]
) -> tuple[np.ndarray | None, int]:
    """Copy the part of `array` that overlaps a grid of `shape` at a whole-voxel `offset`.

    Returns the placed array (None when nothing overlaps) and its count of labelled voxels.
    """
    source, target = [], []
    for axis in range(3):
        start = max(0, -int(offset[axis]))
        stop = min(array.shape[axis], shape[axis] - int(offset[axis]))
        if stop <= start:
            return None, 0
        source.append(slice(start, stop))
        target.append(slice(start + int(offset[axis]), stop + int(offset[axis])))
    placed = np.zeros(shape, dtype=np.uint8, order="F")
    block = array[tuple(source)]
    placed[tuple(target)] = block
    return placed, int(np.count_nonzero(block))


def resample_nearest(array: np.ndarray, affine: np.ndarray, grid: Grid) -> tuple[np.ndarray, int]:
    """Sample `array` at every voxel centre of `grid` by nearest neighbour.

    Each target centre goes through the grid affine and the inverse of `affine`; values are
    copied, never blended, so every label and bit survives exactly. Centres outside the array
    get 0. Returns the Fortran-ordered result and how many target voxels fell inside the array.
    """
    to_source = np.linalg.solve(affine, grid.affine)
    separable = _resample_separable(array, to_source, grid.shape)
    if separable is not None:
        return separable
    return _resample_by_slice(array, to_source, grid.shape)


def _resample_separable(
    array: np.ndarray, to_source: np.ndarray, shape: tuple[int, int, int]
) -> tuple[np.ndarray, int] | None:
    """Resample with one index vector per axis when each target axis runs along one source
    axis (grids that differ only in spacing, offset or axis order); None otherwise."""
    matrix = to_source[:3, :3]
    used = np.abs(matrix) > 1e-9
    if not (used.sum(axis=0) == 1).all() or not (used.sum(axis=1) == 1).all():
        return None
    source_axis = used.argmax(axis=0)  # the source axis that each target axis runs along
    indices: list[np.ndarray] = [np.empty(0, dtype=np.int64)] * 3
    valid = []
    for axis in range(3):
        source = int(source_axis[axis])
        steps = matrix[source, axis] * np.arange(shape[axis]) + to_source[source, 3]
        index = np.floor(steps + 0.5 + TIE_BREAK).astype(np.int64)
        inside = (index >= 0) & (index < array.shape[source])
        indices[source] = np.clip(index, 0, array.shape[source] - 1)
        valid.append(inside)
    # ix_ yields source axis order; transposing by source_axis puts target axis a first.
    taken = np.transpose(array[np.ix_(*indices)], source_axis)
    inside = valid[0][:, None, None] & valid[1][None, :, None] & valid[2][None, None, :]
    result = np.asfortranarray(np.where(inside, taken, 0).astype(np.uint8))
    return result, int(valid[0].sum() * valid[1].sum() * valid[2].sum())


def _resample_by_slice(
    array: np.ndarray, to_source: np.ndarray, shape: tuple[int, int, int]
) -> tuple[np.ndarray, int]:
    """Resample any affine relation, mapping the target centres one slice at a time."""
    nx, ny, nz = shape
    i, j = np.meshgrid(np.arange(nx), np.arange(ny), indexing="ij")
    plane = i[..., None] * to_source[:3, 0] + j[..., None] * to_source[:3, 1] + to_source[:3, 3]
    result = np.zeros(shape, dtype=np.uint8, order="F")
    covered = 0
    limits = np.array(array.shape)
    for k in range(nz):
        index = np.floor(plane + k * to_source[:3, 2] + 0.5 + TIE_BREAK).astype(np.int64)
        inside = ((index >= 0) & (index < limits)).all(axis=-1)
        covered += int(inside.sum())
        picked = index[inside]
        result[..., k][inside] = array[picked[:, 0], picked[:, 1], picked[:, 2]]
    return result, covered


def count_labelled_inside(array: np.ndarray, affine: np.ndarray, grid: Grid) -> int:
    """Count the labelled voxels of `array` whose centres fall inside `grid`."""
    points = np.argwhere(array)
    if not len(points):
        return 0
    to_grid = np.linalg.solve(grid.affine, affine)
    index = np.floor(points @ to_grid[:3, :3].T + to_grid[:3, 3] + 0.5 + TIE_BREAK)
    return int(((index >= 0) & (index < np.array(grid.shape))).all(axis=1).sum())


def _coverage(
    array: np.ndarray, inside: int, affine: np.ndarray, grid: Grid, min_inside_fraction: float
) -> list[ExchangeWarning]:
    labelled = int(np.count_nonzero(array))
    if labelled == inside:
        return []
    if inside < min_inside_fraction * labelled:
        raise grid_mismatch("outside", array.shape, affine, grid, inside=inside, labelled=labelled)
    return [
        ExchangeWarning(
            "MASK_CLIPPED",
            gettext_noop(
                "%(outside)s of the mask's %(labelled)s labelled voxels lie outside the study "
                "grid and were left out."
            ),
            {"outside": labelled - inside, "labelled": labelled},
        )
    ]


def _resampled_warning(shape: tuple[int, ...], affine: np.ndarray, grid: Grid) -> ExchangeWarning:
    return ExchangeWarning(
        "MASK_RESAMPLED",
        gettext_noop(
            "The mask was drawn on another grid (%(mask_grid)s) and was resampled onto the study "
            "grid (%(study_grid)s) by nearest neighbour. Check its borders before saving."
        ),
        {"mask_grid": describe_grid(shape, affine), "study_grid": grid.summary()},
    )
