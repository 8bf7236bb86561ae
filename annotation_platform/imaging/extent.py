"""The occupied part of a uint8 volume, and operations that only need to look there.

Tumour masks fill a few per cent of their grid. Finding the box of the non-zero voxels costs a
few milliseconds on a 512x512x200 volume; working inside it makes table look-ups and counts tens
of times cheaper than on the whole grid.
"""

import numpy as np

Extent = tuple[slice, slice, slice]


def bounding_box(volume: np.ndarray) -> Extent | None:
    """The smallest box holding every non-zero voxel of a 3-D uint8 array, or None if empty.

    The array is read in its memory order, eight bytes at a time where the slice size allows.
    """
    if not volume.flags.f_contiguous:
        volume = np.asfortranarray(volume)
    nx, ny, nz = volume.shape
    flat = volume.reshape(-1, order="F")
    occupied_z = np.flatnonzero(_rows_any(flat.reshape(nz, nx * ny)))
    if occupied_z.size == 0:
        return None
    z0, z1 = int(occupied_z[0]), int(occupied_z[-1]) + 1
    # Within the occupied slabs a voxel row (fixed y and z) is nx contiguous bytes.
    rows = flat[z0 * nx * ny : z1 * nx * ny].reshape(z1 - z0, ny, nx)
    occupied_y = np.flatnonzero(rows.any(axis=(0, 2)))
    occupied_x = np.flatnonzero(rows.any(axis=(0, 1)))
    return (
        slice(int(occupied_x[0]), int(occupied_x[-1]) + 1),
        slice(int(occupied_y[0]), int(occupied_y[-1]) + 1),
        slice(z0, z1),
    )


def _rows_any(rows: np.ndarray) -> np.ndarray:
    """Whether each row of a 2-D uint8 array holds a non-zero byte."""
    if rows.shape[1] % 8 == 0 and rows.flags.c_contiguous:
        return rows.view(np.uint64).any(axis=1)
    return rows.any(axis=1)


def apply_table(table: np.ndarray, volume: np.ndarray) -> np.ndarray:
    """`table[volume]` for a 256-entry table that maps 0 to 0, computed inside the occupied box
    only; the result is F-ordered like NIfTI data."""
    if table[0] != 0:
        return np.asfortranarray(table[volume])
    result = np.zeros(volume.shape, dtype=table.dtype, order="F")
    extent = bounding_box(volume)
    if extent is not None:
        result[extent] = table[volume[extent]]
    return result


def value_counts(volume: np.ndarray) -> np.ndarray:
    """How many voxels hold each uint8 value (256 counts), counting inside the occupied box."""
    extent = bounding_box(volume)
    counts = np.zeros(256, dtype=np.int64)
    if extent is not None:
        inside = volume[extent]
        counts += np.bincount(inside.ravel(order="K"), minlength=256)
        counts[0] += volume.size - inside.size
    else:
        counts[0] = volume.size
    return counts
