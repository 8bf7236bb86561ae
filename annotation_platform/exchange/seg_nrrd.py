"""3D Slicer segmentation files (.seg.nrrd): import onto the study grid and export.

A .seg.nrrd is a NRRD volume with 3 spatial axes and, when segments overlap, one more `list`
axis of layers. Segment N lives in layer `SegmentN_Layer` with value `SegmentN_LabelValue`.
Geometry is given in the NRRD `space` (Slicer writes left-posterior-superior) by `space
origin` and one `space directions` vector per spatial axis. The readers convert it to RAS by
flipping the signs of the axes that differ.
"""

import io
import logging
import re
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import nrrd
import numpy as np

from annotation_platform.errors import ActionableError, gettext_noop
from annotation_platform.exchange.geometry import AFFINE_TOLERANCE_MM, Grid, fit_to_grid
from annotation_platform.exchange.nifti import unreadable
from annotation_platform.exchange.regions import ProtocolRegions, cns_regions
from annotation_platform.exchange.results import ImportedMask
from annotation_platform.exchange.segments import (
    SegmentPlan,
    compose_bitmask,
    plan_segments,
    segment_mapping,
)
from annotation_platform.exchange.terminology import rgb_of, slicer_terminology_entry

logger = logging.getLogger(__name__)

# Sign flips from each NRRD space to RAS.
SPACE_TO_RAS = {
    "left-posterior-superior": np.diag([-1.0, -1.0, 1.0]),
    "lps": np.diag([-1.0, -1.0, 1.0]),
    "right-anterior-superior": np.eye(3),
    "ras": np.eye(3),
    "left-anterior-superior": np.diag([-1.0, 1.0, 1.0]),
    "las": np.diag([-1.0, 1.0, 1.0]),
}
SEGMENT_FIELD = re.compile(r"^Segment(\d+)_(\w+)$")
FRACTIONAL = "Fractional labelmap"
NRRD_GZIP_LEVEL = 1


def read_seg_nrrd(
    path: Path,
    grid: Grid,
    *,
    segment_regions: Mapping[str, str] | None = None,
    regions: ProtocolRegions | None = None,
    strict: bool = False,
    tolerance_mm: float = AFFINE_TOLERANCE_MM,
) -> ImportedMask:
    """Import a 3D Slicer .seg.nrrd onto the study grid as the protocol bitmask.

    `segment_regions` maps segment names to regions or BraTS parts; a segment missing from it
    is matched by its own name. Overlapping segments stay overlapping. Raises
    MASK_FILE_UNREADABLE, MASK_FORMAT_UNSUPPORTED, SEGMENTS_MISSING, SEGMENT_NAMES_UNKNOWN,
    MASK_GRID_MISMATCH and, when `strict`, LABEL_NOT_A_REGION.
    """
    regions = regions or cns_regions()
    layers, header = _read(path)
    segments = _segment_fields(header, len(layers))
    named = [(number, info["name"]) for number, info in segments.items()]
    plans = plan_segments(named, segment_regions, regions)

    def mask_of(plan: SegmentPlan) -> np.ndarray:
        info = segments[plan.number]
        if not 0 <= info["layer"] < len(layers):
            raise unreadable("3D Slicer segmentation")
        return layers[info["layer"]] == info["value"]

    bitmask, left_out, warnings = compose_bitmask(
        layers.shape[1:], plans, mask_of, strict=strict, protocol=regions.protocol
    )
    if layers[0].size == 1:
        # Slicer saves a segmentation without voxels as one voxel and ignores its geometry.
        empty = np.zeros(grid.shape, dtype=np.uint8, order="F")
        mapping = segment_mapping(plans, empty, left_out, regions)
        return ImportedMask(empty, None, mapping, "identical", warnings)
    fit = fit_to_grid(bitmask, ras_affine(header), grid, tolerance_mm=tolerance_mm)
    mapping = segment_mapping(plans, fit.array, left_out, regions)
    return ImportedMask(fit.array, None, mapping, fit.placement, warnings + fit.warnings)


def _read(path: Path) -> tuple[np.ndarray, dict[str, Any]]:
    """Read the voxels as (layer, i, j, k) and the header."""
    try:
        data, header = nrrd.read(str(path), index_order="F")
    except (nrrd.NRRDError, OSError, EOFError, ValueError, zlib.error) as error:
        logger.info("NRRD mask unreadable: %s", type(error).__name__)
        raise unreadable("3D Slicer segmentation") from None
    representation = header.get("Segmentation_SourceRepresentation") or header.get(
        "Segmentation_MasterRepresentation", ""
    )
    if representation == FRACTIONAL or data.dtype.kind not in "iub":
        raise _unsupported("fractional")
    spatial = _spatial_axes(header, data.ndim)
    if data.ndim == 3:
        return data[np.newaxis], header
    if data.ndim == 4 and len(spatial) == 3:
        list_axis = next(axis for axis in range(4) if axis not in spatial)
        return np.moveaxis(data, list_axis, 0), header
    raise _unsupported("axes", axes=data.ndim)


def _spatial_axes(header: Mapping[str, Any], ndim: int) -> list[int]:
    directions = header.get("space directions")
    if directions is None or header.get("space") is None:
        raise _unsupported("geometry")
    rows = np.asarray(directions, dtype=np.float64)
    return [axis for axis in range(min(ndim, len(rows))) if np.isfinite(rows[axis]).all()]


# One template per reason, so that every message translates whole.
UNSUPPORTED_TEMPLATES = {
    "fractional": gettext_noop(
        "The segmentation file stores fractional or floating-point voxels. Save it from 3D "
        "Slicer as a binary labelmap segmentation (.seg.nrrd) or as a NIfTI label map."
    ),
    "axes": gettext_noop(
        "The segmentation file has %(axes)s axes, but a .seg.nrrd has 3 spatial axes and at "
        "most one list of layers. Save it again from 3D Slicer or as a NIfTI label map."
    ),
    "geometry": gettext_noop(
        "The segmentation file has no space, space directions or space origin, so its voxels "
        "have no position. Save it again from 3D Slicer or as a NIfTI label map."
    ),
    "space": gettext_noop(
        "The segmentation file uses the space %(space)s, but only left-posterior-superior and "
        "right-anterior-superior are supported. Save it again from 3D Slicer."
    ),
}


def _unsupported(reason: str, **params: Any) -> ActionableError:
    return ActionableError(
        "MASK_FORMAT_UNSUPPORTED", UNSUPPORTED_TEMPLATES[reason], reason=reason, **params
    )


def ras_affine(header: Mapping[str, Any]) -> np.ndarray:
    """Build the voxel-to-RAS affine of the spatial axes from the NRRD space fields."""
    space = str(header.get("space", "")).lower()
    if space not in SPACE_TO_RAS:
        raise _unsupported("space", space=space[:40])
    rows = np.asarray(header["space directions"], dtype=np.float64)
    spatial = rows[np.isfinite(rows).all(axis=1)]
    origin = np.asarray(header.get("space origin", np.zeros(3)), dtype=np.float64)
    flip = SPACE_TO_RAS[space]
    affine = np.eye(4)
    affine[:3, :3] = flip @ spatial.T
    affine[:3, 3] = flip @ origin
    return affine


def _segment_fields(header: Mapping[str, Any], layer_count: int) -> dict[int, dict[str, Any]]:
    fields: dict[int, dict[str, str]] = {}
    for key, value in header.items():
        match = SEGMENT_FIELD.match(key)
        if match:
            fields.setdefault(int(match.group(1)), {})[match.group(2)] = str(value)
    segments = {}
    for number, values in sorted(fields.items()):
        # Files from Slicer before 4.11 keep one segment per layer with value 1.
        default_layer = number if layer_count > 1 else 0
        try:
            segments[number] = {
                "name": values.get("Name", values.get("ID", f"Segment_{number}")),
                "layer": int(values.get("Layer", default_layer)),
                "value": int(values.get("LabelValue", 1)),
            }
        except ValueError:
            raise unreadable("3D Slicer segmentation") from None
    return segments


def encode_seg_nrrd(
    bitmask: np.ndarray, grid: Grid, *, regions: ProtocolRegions | None = None
) -> bytes:
    """Encode the bitmask as a .seg.nrrd: one layer per drawn region, value 1, in LPS space.

    Every region gets its own layer because WT, TC and ET overlap by design.
    """
    regions = regions or cns_regions()
    keys = list(regions.bits)
    layers = np.zeros((len(keys), *grid.shape), dtype=np.uint8, order="F")
    for layer, key in enumerate(keys):
        layers[layer] = (bitmask & regions.bits[key]) != 0
    header = _header(grid)
    for number, key in enumerate(keys):
        header.update(_segment_header(number, key, layers[number], regions))

    buffer = io.BytesIO()
    nrrd.write(buffer, layers, header, compression_level=NRRD_GZIP_LEVEL, index_order="F")
    return _without_date_comment(buffer.getvalue())


def _header(grid: Grid) -> dict[str, Any]:
    to_lps = SPACE_TO_RAS["left-posterior-superior"]  # its own inverse
    directions = np.full((4, 3), np.nan)
    directions[1:] = (to_lps @ grid.affine[:3, :3]).T
    return {
        "type": "unsigned char",
        "space": "left-posterior-superior",
        "space directions": directions,
        "space origin": to_lps @ grid.affine[:3, 3],
        "kinds": ["list", "domain", "domain", "domain"],
        "encoding": "gzip",
        "Segmentation_MasterRepresentation": "Binary labelmap",
        "Segmentation_SourceRepresentation": "Binary labelmap",
        "Segmentation_ContainedRepresentationNames": "Binary labelmap|",
        "Segmentation_ReferenceImageExtentOffset": "0 0 0",
    }


def _segment_header(
    number: int, key: str, layer: np.ndarray, regions: ProtocolRegions
) -> dict[str, str]:
    red, green, blue = rgb_of(regions.colors.get(key))
    prefix = f"Segment{number}_"
    return {
        prefix + "ID": key,
        prefix + "Name": key,
        prefix + "NameAutoGenerated": "0",
        prefix + "Color": f"{red / 255:.6g} {green / 255:.6g} {blue / 255:.6g}",
        prefix + "ColorAutoGenerated": "0",
        prefix + "Layer": str(number),
        prefix + "LabelValue": "1",
        prefix + "Extent": _extent(layer),
        prefix + "Tags": f"TerminologyEntry:{slicer_terminology_entry()}|",
    }


def _extent(layer: np.ndarray) -> str:
    """Slicer's extent of the non-empty voxels: min and max index per axis."""
    points = np.argwhere(layer)
    if not len(points):
        return "0 -1 0 -1 0 -1"
    low, high = points.min(axis=0), points.max(axis=0)
    return " ".join(f"{int(a)} {int(b)}" for a, b in zip(low, high, strict=True))


def _without_date_comment(encoded: bytes) -> bytes:
    """Drop pynrrd's "# on <date>" header comment, so equal masks give equal bytes."""
    head, separator, body = encoded.partition(b"\n\n")
    lines = [line for line in head.split(b"\n") if not line.startswith(b"# on ")]
    return b"\n".join(lines) + separator + body
