"""Check a series group's slice geometry before conversion, so that no wrong volume is written.

dcm2niix stacks the slices it is given at equal spacing along the slice normal. A missing slice,
two images at one position or a tilted stack would therefore give a volume whose voxels sit at
the wrong place in the patient, so these cases are rejected or reported here. Distances are
millimetres along the slice normal in DICOM patient coordinates (LPS).
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np

from annotation_platform.errors import ActionableError, gettext_noop
from annotation_platform.imaging.dicom_headers import Orientation, Vector
from annotation_platform.imaging.dicom_series import (
    ORIENTATION_TOLERANCE,
    SeriesGroup,
    cluster_positions,
    slice_normal,
)

logger = logging.getLogger(__name__)

# A gap between neighbouring slices may differ from the typical gap by this much before the
# spacing counts as uneven: 1% of the typical gap, but at least 0.01 mm. Real scanners store
# positions to about 1e-4 mm (0.9999 to 1.0000 mm gaps in a Philips 3D T1).
SPACING_RELATIVE_TOLERANCE = 0.01
SPACING_ABSOLUTE_TOLERANCE_MM = 0.01
# Sideways slice shifts up to this size are rounding noise and not reported as tilt.
TILT_IGNORED_SHIFT_MM = 0.01
# dcm2niix ignores sideways shifts (it corrects tilt only from the CT Gantry/Detector Tilt
# attribute), so a tilted stack is converted as if it were straight. Shifts up to this fraction
# of a pixel keep every voxel within its own pixel: those are converted with a warning, and
# larger ones are rejected.
TILT_MAX_SHIFT_PIXELS = 0.5

CheckedBy = Literal["slices", "frames", "converter"]


@dataclass(frozen=True)
class GeometryReport:
    """The outcome of the checks on a group that may be converted."""

    slice_count: int
    volume_count: int
    # Typical distance between neighbouring slices along the normal; None when unknown.
    slice_spacing_mm: float | None
    # Angle between the slice normal and the line through the slice positions.
    tilt_deg: float
    # Source of the checked positions: classic per-file headers ("slices"), enhanced per-frame
    # functional groups ("frames"), or none ("converter"), because dcm2niix reads a mosaic's
    # positions from its private header.
    checked_by: CheckedBy
    warnings: list[dict[str, Any]] = field(default_factory=list)

    @property
    def is_3d(self) -> bool:
        return self.volume_count == 1


@dataclass(frozen=True)
class _Stack:
    slice_count: int
    volume_count: int
    spacing_mm: float | None
    tilt_deg: float
    shift_mm: float


def problem(code: str, template: str, **params: Any) -> dict[str, Any]:
    """Build a warning record in the same {code, template, params} shape as ActionableError."""
    return {"code": code, "template": template, "params": params}


def check_geometry(group: SeriesGroup) -> GeometryReport:
    """Check that a group converts to a correct volume; raise ActionableError when it cannot.

    Raises for localizers, single slices, missing geometry attributes, duplicate positions,
    uneven volume counts in a 4D series, uneven slice spacing (a missing slice) and a tilt
    beyond half a pixel. Returns warnings for smaller tilt, multi-volume (4D) series and split
    series.
    """
    _reject_unconvertible_kind(group)
    if group.is_mosaic:
        report = _mosaic_report(group)
    elif group.is_enhanced:
        report = _enhanced_report(group)
    else:
        report = _classic_report(group)

    warnings = [*_group_warnings(group), *report.warnings]
    if report.volume_count > 1:
        warnings.append(
            problem(
                "MULTI_VOLUME_SERIES",
                gettext_noop(
                    "The series contains %(volume_count)s volumes (for example time points, "
                    "echoes or diffusion directions), so it is not a single 3D volume for "
                    "annotation."
                ),
                volume_count=report.volume_count,
            )
        )
    return replace(report, warnings=warnings)


def _reject_unconvertible_kind(group: SeriesGroup) -> None:
    if group.kind == "localizer":
        raise ActionableError(
            "LOCALIZER_SERIES",
            gettext_noop(
                "Series %(series_number)s is a localizer (scout), which is not converted to a "
                "volume. Nothing needs to be done unless it should be a diagnostic sequence; "
                "then upload that sequence."
            ),
            series_number=group.series_number,
        )
    if group.kind == "single_slice":
        raise ActionableError(
            "SINGLE_SLICE_SERIES",
            gettext_noop(
                "Series %(series_number)s has a single slice, so it cannot be converted to a "
                "volume. Upload all files of the series."
            ),
            series_number=group.series_number,
        )


def _group_warnings(group: SeriesGroup) -> list[dict[str, Any]]:
    warnings = []
    if group.part_count > 1:
        warnings.append(
            problem(
                "SERIES_SPLIT",
                gettext_noop(
                    "Series %(series_number)s mixes images that differ in %(reasons)s. It was "
                    "split into %(part_count)s parts, and this is part %(part)s."
                ),
                series_number=group.series_number,
                reasons=", ".join(group.split_reasons),
                part_count=group.part_count,
                part=group.part_index + 1,
            )
        )
    if group.duplicate_files_ignored:
        warnings.append(
            problem(
                "DUPLICATE_FILES_IGNORED",
                gettext_noop(
                    "%(count)s files repeated the SOP Instance UID of another file in the series "
                    "and were ignored."
                ),
                count=group.duplicate_files_ignored,
            )
        )
    return warnings


def _mosaic_report(group: SeriesGroup) -> GeometryReport:
    # A mosaic's slice positions live in the vendor's private header (Siemens CSA, United
    # Imaging per-slice sequence), which dcm2niix decodes. Each file is one whole volume.
    # NOTE: two mosaic files of the same volume (a re-sent copy with a new SOP Instance UID)
    # are not detected here and would convert as two time points.
    return GeometryReport(
        slice_count=group.slice_count,
        volume_count=group.instance_count,
        slice_spacing_mm=None,
        tilt_deg=0.0,
        checked_by="converter",
    )


def _classic_report(group: SeriesGroup) -> GeometryReport:
    missing = [
        header for header in group.headers if header.position is None or header.orientation is None
    ]
    if missing or group.orientation is None:
        _raise_missing_geometry(group, len(missing))
    stack = _check_stack(
        positions=[header.position for header in group.headers],  # type: ignore[misc]
        volume_keys=[header.volume_key for header in group.headers],
        normal=slice_normal(group.orientation),  # type: ignore[arg-type]
        temporal_positions=max(header.temporal_positions for header in group.headers),
        pixel_mm=_smallest_pixel_mm(group),
    )
    return _report(stack, "slices")


def _enhanced_report(group: SeriesGroup) -> GeometryReport:
    positions: list[Vector] = []
    orientations: list[Orientation] = []
    for header in group.headers:
        if not header.frame_positions or not header.frame_orientations:
            _raise_missing_geometry(group, header.number_of_frames)
        positions.extend(header.frame_positions)
        orientations.extend(header.frame_orientations)

    if not np.allclose(orientations, orientations[0], rtol=0.0, atol=ORIENTATION_TOLERANCE):
        raise ActionableError(
            "MIXED_FRAME_ORIENTATION",
            gettext_noop(
                "The frames of series %(series_number)s lie in different orientations, so they "
                "do not form one volume. Export each stack as its own series and upload again."
            ),
            series_number=group.series_number,
        )
    # Every frame of an enhanced file is a distinct image, so frames sharing a position are
    # volumes (time points, echoes, label and control), never duplicates.
    stack = _check_stack(
        positions=positions,
        volume_keys=[(str(index),) for index in range(len(positions))],
        normal=slice_normal(orientations[0]),
        temporal_positions=1,
        pixel_mm=_smallest_pixel_mm(group),
    )
    return _report(stack, "frames")


def _report(stack: _Stack, checked_by: CheckedBy) -> GeometryReport:
    warnings = []
    if stack.shift_mm > TILT_IGNORED_SHIFT_MM:
        warnings.append(
            problem(
                "GANTRY_TILT",
                gettext_noop(
                    "The slice stack is tilted by %(angle_deg)s degrees against the image plane. "
                    "The largest sideways shift, %(shift_mm)s mm, is under half a pixel, so the "
                    "volume was converted without correction."
                ),
                angle_deg=round(stack.tilt_deg, 3),
                shift_mm=round(stack.shift_mm, 3),
            )
        )
    return GeometryReport(
        slice_count=stack.slice_count,
        volume_count=stack.volume_count,
        slice_spacing_mm=stack.spacing_mm,
        tilt_deg=stack.tilt_deg,
        checked_by=checked_by,
        warnings=warnings,
    )


def _check_stack(
    *,
    positions: Sequence[Vector],
    volume_keys: Sequence[tuple[str, ...]],
    normal: np.ndarray,
    temporal_positions: int,
    pixel_mm: float,
) -> _Stack:
    points = np.asarray(positions, dtype=float)
    distances = points @ normal
    clusters = cluster_positions(distances.tolist())
    _check_repeated_positions(clusters, distances, volume_keys, temporal_positions)

    slice_distances = [float(distances[cluster[0]]) for cluster in clusters]
    spacing_mm = _check_spacing(slice_distances)
    slice_points = points[[cluster[0] for cluster in clusters]]
    tilt_deg, shift_mm = _measure_tilt(slice_points, normal)
    if shift_mm > TILT_MAX_SHIFT_PIXELS * pixel_mm:
        raise ActionableError(
            "GANTRY_TILT_UNSUPPORTED",
            gettext_noop(
                "The slice stack is tilted by %(angle_deg)s degrees against the image plane "
                "(gantry tilt or a sheared stack), which shifts slices up to %(shift_mm)s mm "
                "sideways. dcm2niix cannot correct tilt in MR images, so the volume would be "
                "wrong. Reconstruct the series without tilt and upload it again."
            ),
            angle_deg=round(tilt_deg, 3),
            shift_mm=round(shift_mm, 3),
        )
    return _Stack(
        slice_count=len(clusters),
        volume_count=len(clusters[0]),
        spacing_mm=spacing_mm,
        tilt_deg=tilt_deg,
        shift_mm=shift_mm,
    )


def _check_repeated_positions(
    clusters: list[list[int]],
    distances: np.ndarray,
    volume_keys: Sequence[tuple[str, ...]],
    temporal_positions: int,
) -> None:
    """Reject duplicate images at one position, and positions with unequal image counts.

    Images at one position belong to different volumes when a time point, echo, b-value or
    similar attribute distinguishes them, or when the series declares that many temporal
    positions (GE writes no per-image time point index).
    """
    for cluster in clusters:
        distinct = len({volume_keys[index] for index in cluster})
        if distinct < len(cluster) and len(cluster) > temporal_positions:
            raise ActionableError(
                "DUPLICATE_SLICE_POSITION",
                gettext_noop(
                    "%(count)s images share the slice position %(position_mm)s mm along the "
                    "slice normal, and no time point, echo or b-value tells them apart. Remove "
                    "the duplicate files, or upload each copy as its own series."
                ),
                count=len(cluster),
                position_mm=round(float(distances[cluster[0]]), 3),
            )

    counts = [len(cluster) for cluster in clusters]
    if min(counts) != max(counts):
        raise ActionableError(
            "INCONSISTENT_VOLUME_COUNT",
            gettext_noop(
                "This multi-volume series has between %(min_count)s and %(max_count)s images "
                "per slice position across %(slice_count)s positions, but every position needs "
                "the same number. A volume may be incomplete (for example an interrupted run). "
                "Upload the complete series."
            ),
            min_count=min(counts),
            max_count=max(counts),
            slice_count=len(clusters),
        )


def _check_spacing(distances_mm: list[float]) -> float | None:
    """Raise NONUNIFORM_SLICE_SPACING unless neighbouring slices are evenly spaced.

    The typical gap is the lower median of all gaps, because missing slices only widen gaps.
    Returns the mean gap, or None for a single position.
    """
    if len(distances_mm) < 2:
        return None
    # NOTE: with two positions there is a single gap and nothing to compare it with, so a
    # missing slice between them is not detected.
    gaps = np.diff(distances_mm)
    typical = float(np.sort(gaps)[(len(gaps) - 1) // 2])
    tolerance = max(SPACING_ABSOLUTE_TOLERANCE_MM, SPACING_RELATIVE_TOLERANCE * typical)
    worst = int(np.argmax(np.abs(gaps - typical)))
    if abs(gaps[worst] - typical) > tolerance:
        _raise_uneven_spacing(distances_mm, gaps, worst, typical, tolerance)
    return float((distances_mm[-1] - distances_mm[0]) / len(gaps))


def _raise_uneven_spacing(
    distances_mm: list[float], gaps: np.ndarray, worst: int, typical: float, tolerance: float
) -> None:
    # A gap spanning k typical gaps hides k - 1 slices. Gaps that are no whole multiple are
    # rounded, so the expected count is then an estimate.
    hidden = sum(max(round(float(gap) / typical) - 1, 0) for gap in gaps)
    logger.warning("Rejected a series with uneven slice spacing: gap %.3f mm", gaps[worst])
    raise ActionableError(
        "NONUNIFORM_SLICE_SPACING",
        gettext_noop(
            "Slice spacing is not uniform: there is a gap of %(gap_mm)s mm between the slices "
            "at %(from_mm)s mm and %(to_mm)s mm along the slice normal (DICOM patient "
            "coordinates, LPS), while the other slices are %(spacing_mm)s mm apart. "
            "%(present)s of %(expected)s slices are present. A slice may be missing: upload "
            "the complete series."
        ),
        gap_mm=round(float(gaps[worst]), 3),
        from_mm=round(distances_mm[worst], 3),
        to_mm=round(distances_mm[worst + 1], 3),
        spacing_mm=round(typical, 3),
        tolerance_mm=round(tolerance, 3),
        present=len(distances_mm),
        expected=len(distances_mm) + hidden,
    )


def _measure_tilt(slice_points: np.ndarray, normal: np.ndarray) -> tuple[float, float]:
    """Return the stack's tilt angle (degrees) and its largest sideways slice shift (mm).

    The sideways shift of a slice is its offset from the first slice, minus the part along the
    normal. The angle comes from the farthest slice, where rounding matters least.
    """
    if len(slice_points) < 2:
        return 0.0, 0.0
    offsets = slice_points - slice_points[0]
    along = offsets @ normal
    sideways = np.linalg.norm(offsets - np.outer(along, normal), axis=1)
    tilt_deg = float(np.degrees(np.arctan2(sideways[-1], abs(along[-1]))))
    return tilt_deg, float(sideways.max())


def _smallest_pixel_mm(group: SeriesGroup) -> float:
    spacing = group.pixel_spacing_mm
    # NOTE: without Pixel Spacing the tilt limit assumes 1 mm pixels.
    return min(spacing) if spacing else 1.0


def _raise_missing_geometry(group: SeriesGroup, count: int) -> None:
    raise ActionableError(
        "MISSING_IMAGE_GEOMETRY",
        gettext_noop(
            "%(count)s images of series %(series_number)s lack Image Position (Patient) or "
            "Image Orientation (Patient), so their place in the patient is unknown. Export the "
            "series again from the scanner or PACS with these attributes."
        ),
        count=count,
        series_number=group.series_number,
    )
