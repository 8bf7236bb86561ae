"""Group DICOM images into series, and split a series that mixes several geometries.

A group is what dcm2niix may safely turn into one NIfTI file: the images of one Series Instance
UID and Series Number that share orientation, matrix size, pixel spacing and storage (classic
slices, mosaic or enhanced multi-frame). Positions stay in DICOM patient coordinates (LPS, mm).
"""

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from annotation_platform.imaging.dicom_headers import InstanceHeader, Orientation, Vector

logger = logging.getLogger(__name__)

GroupKind = Literal["volume", "localizer", "single_slice"]

# Direction cosines that differ by less than this belong to one orientation (about 0.06 degrees).
ORIENTATION_TOLERANCE = 1e-3
PIXEL_SPACING_TOLERANCE_MM = 1e-3
# Slices closer than this along the slice normal share one position.
POSITION_TOLERANCE_MM = 0.01
# A series whose images lie in several orientations, each with at most this many slices, is a
# 3-plane localizer (scout).
# NOTE: the limit is an estimate, not a vendor rule. A single-plane scout whose Image Type
# lacks LOCALIZER is not detected and is checked as a volume.
LOCALIZER_MAX_SLICES_PER_PLANE = 10
# Two planes count as different orientations for the localizer rule above this normal angle.
LOCALIZER_MIN_PLANE_ANGLE_DEG = 30.0


@dataclass(frozen=True)
class SeriesGroup:
    """Images of one series that share one geometry, sorted along the slice normal.

    Classic slices are sorted by distance along the slice normal, then by instance number, so
    the images of one position (several volumes of a 4D series) stay together. Mosaic and
    enhanced files hold whole volumes and are sorted by acquisition and instance number.
    """

    series_instance_uid: str
    series_number: int | None
    kind: GroupKind
    headers: tuple[InstanceHeader, ...]
    # 0-based index of this part and the number of parts its series was split into.
    part_index: int
    part_count: int
    # Attributes that differ between the parts of a split series, e.g. ("orientation",).
    split_reasons: tuple[str, ...]
    # Distinct slice positions (classic or enhanced) or tiles per mosaic; 0 when unknown.
    slice_count: int
    # Files dropped because they repeat the SOP Instance UID of another file in the group.
    duplicate_files_ignored: int

    @property
    def files(self) -> list[Path]:
        return [header.path for header in self.headers]

    @property
    def instance_count(self) -> int:
        return len(self.headers)

    @property
    def rows(self) -> int:
        return self.headers[0].rows

    @property
    def columns(self) -> int:
        return self.headers[0].columns

    @property
    def pixel_spacing_mm(self) -> tuple[float, float] | None:
        return self.headers[0].pixel_spacing_mm

    @property
    def orientation(self) -> Orientation | None:
        return self.headers[0].orientation

    @property
    def is_multiframe(self) -> bool:
        return self.headers[0].is_multiframe

    @property
    def is_enhanced(self) -> bool:
        return self.headers[0].is_enhanced

    @property
    def is_mosaic(self) -> bool:
        return self.headers[0].is_mosaic

    @property
    def modality(self) -> str:
        return self.headers[0].modality


@dataclass(frozen=True)
class _Signature:
    """The attributes that must agree for images to form one volume."""

    is_enhanced: bool
    is_mosaic: bool
    rows: int
    columns: int
    pixel_spacing_mm: tuple[float, float] | None
    orientation: Orientation | None

    def differences(self, other: "_Signature") -> set[str]:
        reasons = set()
        if (self.rows, self.columns) != (other.rows, other.columns):
            reasons.add("matrix size")
        if not _close(self.pixel_spacing_mm, other.pixel_spacing_mm, PIXEL_SPACING_TOLERANCE_MM):
            reasons.add("pixel spacing")
        if not _close(self.orientation, other.orientation, ORIENTATION_TOLERANCE):
            reasons.add("orientation")
        if (self.is_enhanced, self.is_mosaic) != (other.is_enhanced, other.is_mosaic):
            reasons.add("storage")
        return reasons


def group_series(headers: Iterable[InstanceHeader]) -> list[SeriesGroup]:
    """Group images by Series Instance UID and Series Number, then split mixed geometries.

    Returns the groups ordered by series number, then part. A group's kind is "localizer" for
    scouts (Image Type LOCALIZER, or a 3-plane series with few slices per plane), which are not
    meant for conversion, and "single_slice" for a group with one slice position.
    """
    by_series: dict[tuple[str, int | None], list[InstanceHeader]] = defaultdict(list)
    for header in headers:
        by_series[(header.series_instance_uid, header.series_number)].append(header)

    groups: list[SeriesGroup] = []
    for (series_uid, series_number), members in by_series.items():
        groups.extend(_split_series(series_uid, series_number, members))

    groups.sort(key=lambda group: (group.series_number is None, group.series_number or 0))
    logger.info("Grouped images into %d series groups", len(groups))
    return groups


def slice_normal(orientation: Orientation) -> np.ndarray:
    """Return the unit normal of the image plane: row direction x column direction (LPS)."""
    row = np.asarray(orientation[:3], dtype=float)
    column = np.asarray(orientation[3:], dtype=float)
    normal = np.cross(row, column)
    length = float(np.linalg.norm(normal))
    return normal / length if length > 0 else normal


def cluster_positions(distances_mm: Sequence[float]) -> list[list[int]]:
    """Group indices whose distances along the normal lie within POSITION_TOLERANCE_MM.

    Returns one list of indices per slice position, ordered by distance.
    """
    order = sorted(range(len(distances_mm)), key=lambda index: distances_mm[index])
    clusters: list[list[int]] = []
    for index in order:
        if clusters and distances_mm[index] - distances_mm[clusters[-1][0]] <= (
            POSITION_TOLERANCE_MM
        ):
            clusters[-1].append(index)
        else:
            clusters.append([index])
    return clusters


def _split_series(
    series_uid: str, series_number: int | None, members: list[InstanceHeader]
) -> list[SeriesGroup]:
    parts = _cluster_by_signature(members)
    reasons = _split_reasons([signature for signature, _ in parts])
    localizer_series = _is_three_plane_localizer(parts)

    groups = []
    for index, (_, part) in enumerate(parts):
        unique, duplicates = _drop_repeated_instances(part)
        ordered = _sort_headers(unique)
        slice_count = _count_slices(ordered)
        groups.append(
            SeriesGroup(
                series_instance_uid=series_uid,
                series_number=series_number,
                kind=_kind(ordered, slice_count, localizer_series),
                headers=tuple(ordered),
                part_index=index,
                part_count=len(parts),
                split_reasons=reasons,
                slice_count=slice_count,
                duplicate_files_ignored=duplicates,
            )
        )
    return groups


def _drop_repeated_instances(
    members: list[InstanceHeader],
) -> tuple[list[InstanceHeader], int]:
    """Keep the first file of each SOP Instance UID; a copy of one image adds nothing."""
    seen: set[str] = set()
    unique = []
    for header in sorted(members, key=lambda header: str(header.path)):
        if header.sop_instance_uid and header.sop_instance_uid in seen:
            continue
        seen.add(header.sop_instance_uid)
        unique.append(header)
    return unique, len(members) - len(unique)


def _cluster_by_signature(
    members: list[InstanceHeader],
) -> list[tuple[_Signature, list[InstanceHeader]]]:
    parts: list[tuple[_Signature, list[InstanceHeader]]] = []
    for header in members:
        signature = _Signature(
            is_enhanced=header.is_enhanced,
            is_mosaic=header.is_mosaic,
            rows=header.rows,
            columns=header.columns,
            pixel_spacing_mm=header.pixel_spacing_mm,
            orientation=header.orientation,
        )
        for known, part in parts:
            if not known.differences(signature):
                part.append(header)
                break
        else:
            parts.append((signature, [header]))
    # The largest part comes first, so part 0 is the main volume of a split series.
    parts.sort(key=lambda item: -len(item[1]))
    return parts


def _split_reasons(signatures: list[_Signature]) -> tuple[str, ...]:
    reasons: set[str] = set()
    for index, signature in enumerate(signatures):
        for other in signatures[index + 1 :]:
            reasons |= signature.differences(other)
    return tuple(sorted(reasons))


def _is_three_plane_localizer(parts: list[tuple[_Signature, list[InstanceHeader]]]) -> bool:
    """Return whether the series has few slices in each of several clearly different planes."""
    normals = [
        slice_normal(signature.orientation)
        for signature, _ in parts
        if signature.orientation is not None
    ]
    if len(normals) < 2:
        return False
    if any(
        _count_slices(_sort_headers(part)) > LOCALIZER_MAX_SLICES_PER_PLANE for _, part in parts
    ):
        return False
    min_cosine = np.cos(np.radians(LOCALIZER_MIN_PLANE_ANGLE_DEG))
    return any(
        abs(float(np.dot(first, second))) < min_cosine
        for index, first in enumerate(normals)
        for second in normals[index + 1 :]
    )


def _kind(headers: list[InstanceHeader], slice_count: int, localizer_series: bool) -> GroupKind:
    if localizer_series or any(header.is_localizer for header in headers):
        return "localizer"
    if _has_several_frame_planes(headers):
        return "localizer"
    if slice_count == 1:
        return "single_slice"
    return "volume"


def _has_several_frame_planes(headers: list[InstanceHeader]) -> bool:
    """Return whether an enhanced file has few frames in each of several planes (3-plane scout)."""
    for header in headers:
        planes = {_rounded(orientation) for orientation in header.frame_orientations}
        if len(planes) > 1 and header.number_of_frames <= (
            LOCALIZER_MAX_SLICES_PER_PLANE * len(planes)
        ):
            return True
    return False


def _sort_headers(headers: list[InstanceHeader]) -> list[InstanceHeader]:
    first = headers[0]
    if first.is_mosaic or first.is_enhanced or first.orientation is None:
        return sorted(headers, key=_acquisition_order)
    normal = slice_normal(first.orientation)
    return sorted(
        headers,
        key=lambda header: (_distance(header.position, normal), *_acquisition_order(header)),
    )


def _count_slices(headers: list[InstanceHeader]) -> int:
    first = headers[0]
    if first.is_mosaic:
        return first.mosaic_slices or 0
    if first.is_enhanced:
        return _count_frame_positions(first)
    if first.orientation is None or any(header.position is None for header in headers):
        return 0
    normal = slice_normal(first.orientation)
    return len(cluster_positions([_distance(header.position, normal) for header in headers]))


def _count_frame_positions(header: InstanceHeader) -> int:
    if not header.frame_positions or not header.frame_orientations:
        return 0
    normal = slice_normal(header.frame_orientations[0])
    distances = [_distance(position, normal) for position in header.frame_positions]
    return len(cluster_positions(distances))


def _acquisition_order(header: InstanceHeader) -> tuple[int, int, str]:
    return (header.acquisition_number or 0, header.instance_number or 0, str(header.path))


def _distance(position: Vector | None, normal: np.ndarray) -> float:
    return float(np.dot(position, normal)) if position is not None else 0.0


def _close(
    first: tuple[float, ...] | None, second: tuple[float, ...] | None, tolerance: float
) -> bool:
    if first is None or second is None:
        return first is second
    return bool(np.allclose(first, second, rtol=0.0, atol=tolerance))


def _rounded(orientation: Orientation) -> tuple[float, ...]:
    return tuple(round(value, 3) for value in orientation)
