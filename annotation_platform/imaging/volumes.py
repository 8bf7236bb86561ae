"""Small NIfTI file helpers shared by conversion, alignment and storage."""

import gzip
import shutil
from pathlib import Path
from typing import Any

import nibabel as nib
import numpy as np

# Level 1 deflate: a 240x240x155 int16 volume compresses in tens of milliseconds, where the
# default level 9 takes seconds and gains little on MR noise.
GZIP_LEVEL = 1


def gzip_file(source: Path, target: Path, level: int = GZIP_LEVEL) -> Path:
    """Gzip `source` into `target` with no file name and a zero time stamp in the gzip header,
    so that equal content gives equal bytes (object keys are content hashes)."""
    with source.open("rb") as raw, target.open("wb") as handle:
        with gzip.GzipFile(
            filename="", mode="wb", fileobj=handle, compresslevel=level, mtime=0
        ) as out:
            shutil.copyfileobj(raw, out, 1024 * 1024)
    return target


def grid_of(path: Path) -> dict[str, Any]:
    """The voxel grid of a NIfTI file from its header: shape, spacing, affine and axis codes."""
    image = nib.load(str(path))
    return grid_of_header(image.shape, image.affine, image.header.get_zooms())


def grid_of_header(
    shape: tuple[int, ...], affine: np.ndarray, zooms: tuple[float, ...]
) -> dict[str, Any]:
    return {
        "shape": [int(size) for size in shape],
        "spacing_mm": [round(float(zoom), 6) for zoom in zooms[:3]],
        "affine": [[round(float(value), 6) for value in row] for row in np.asarray(affine)],
        "orientation": list(nib.aff2axcodes(affine)),
        "is_3d": len(shape) == 3 or (len(shape) == 4 and shape[3] == 1),
    }
