"""DICOM Segmentation objects (highdicom): export referencing a source series, and import.

DICOM positions are in LPS patient coordinates and NIfTI in RAS: the two differ by the signs of
x and y, so each conversion below multiplies by diag(-1, -1, 1). A DICOM pixel (row r, column
c) of a slice lies at ImagePositionPatient + c * PixelSpacing[1] * (row direction, the first
three ImageOrientationPatient values) + r * PixelSpacing[0] * (column direction, the last three).
"""

import io
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path

import highdicom as hd
import numpy as np
from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError
from pydicom.uid import ExplicitVRLittleEndian, JPEG2000Lossless

from annotation_platform.errors import ActionableError, gettext_noop
from annotation_platform.exchange.conventions import resolve_label_name
from annotation_platform.exchange.geometry import (
    AFFINE_TOLERANCE_MM,
    Grid,
    count_labelled_inside,
    fit_to_grid,
    resample_nearest,
)
from annotation_platform.exchange.nifti import unreadable
from annotation_platform.exchange.regions import ProtocolRegions, cns_regions
from annotation_platform.exchange.results import ExchangeWarning, ImportedMask
from annotation_platform.exchange.segments import (
    SegmentPlan,
    compose_bitmask,
    plan_segments,
    segment_mapping,
)
from annotation_platform.exchange.terminology import (
    ANATOMIC_REGION,
    CATEGORY,
    PROPERTY_TYPE,
    rgb_of,
)

logger = logging.getLogger(__name__)

LPS_TO_RAS = np.diag([-1.0, -1.0, 1.0, 1.0])
FRACTION_THRESHOLD = 0.5
ORIENTATION_TOLERANCE = 1e-4
MIN_JPEG2000_PIXELS = 32
MANUFACTURER = "annotation-platform"
SOFTWARE_VERSION = "1"


def read_dicom_seg(
    path: Path,
    grid: Grid,
    *,
    segment_regions: Mapping[str, str] | None = None,
    regions: ProtocolRegions | None = None,
    strict: bool = False,
    tolerance_mm: float = AFFINE_TOLERANCE_MM,
) -> ImportedMask:
    """Import a DICOM SEG onto the study grid as the protocol bitmask.

    Segments are matched by label, then tracking id, through `segment_regions` or as names of
    regions or BraTS parts. highdicom places every frame by its per-frame ImagePositionPatient
    into one volume (missing frames are empty), which is then fitted to the grid. Fractional
    segments count where the fraction is at least 0.5. Raises MASK_FILE_UNREADABLE,
    MASK_FORMAT_UNSUPPORTED, SEGMENT_NAMES_UNKNOWN, MASK_GRID_MISMATCH and, when `strict`,
    LABEL_NOT_A_REGION.
    """
    regions = regions or cns_regions()
    segmentation = _segread(path)
    named = [
        (number, _segment_name(item, segment_regions, regions))
        for number, item in _segments(segmentation)
    ]
    plans = plan_segments(named, segment_regions, regions)
    volume = _volume(segmentation, [number for number, _ in named])
    channels = {number: index for index, (number, _) in enumerate(named)}

    def mask_of(plan: SegmentPlan) -> np.ndarray:
        return volume.array[..., channels[plan.number]] >= FRACTION_THRESHOLD

    bitmask, left_out, warnings = compose_bitmask(
        volume.array.shape[:3], plans, mask_of, strict=strict, protocol=regions.protocol
    )
    fit = fit_to_grid(bitmask, LPS_TO_RAS @ volume.affine, grid, tolerance_mm=tolerance_mm)
    mapping = segment_mapping(plans, fit.array, left_out, regions)
    return ImportedMask(fit.array, None, mapping, fit.placement, warnings + fit.warnings)


def _segread(path: Path) -> hd.seg.Segmentation:
    try:
        return hd.seg.segread(str(path))
    except (InvalidDicomError, OSError, EOFError, ValueError, AttributeError, KeyError) as error:
        logger.info("DICOM SEG unreadable: %s", type(error).__name__)
        raise unreadable("DICOM Segmentation") from None


def _segments(segmentation: hd.seg.Segmentation) -> list[tuple[int, Dataset]]:
    # Label-map SEGs (segmentation type LABELMAP) describe their background as segment 0.
    items = [(int(item.SegmentNumber), item) for item in segmentation.SegmentSequence]
    return [(number, item) for number, item in items if number != 0]


def _segment_name(
    item: Dataset, segment_regions: Mapping[str, str] | None, regions: ProtocolRegions
) -> str:
    """Pick the segment's label or, when only that matches, its tracking id."""
    label = str(item.get("SegmentLabel", ""))
    tracking_id = str(item.get("TrackingID", ""))
    for candidate in (label, tracking_id):
        if candidate and candidate in (segment_regions or {}):
            return candidate
    for candidate in (label, tracking_id):
        try:
            resolve_label_name(candidate, regions)
        except ActionableError:
            continue
        return candidate
    return label or tracking_id


def _volume(segmentation: hd.seg.Segmentation, numbers: list[int]) -> hd.Volume:
    try:
        return segmentation.get_volume(
            segment_numbers=numbers,
            combine_segments=False,
            rescale_fractional=True,
            allow_missing_positions=True,
        )
    except (RuntimeError, ValueError) as error:
        logger.info("DICOM SEG frames do not form a volume: %s", type(error).__name__)
        raise ActionableError(
            "MASK_FORMAT_UNSUPPORTED",
            gettext_noop(
                "The DICOM Segmentation's frames do not form one evenly spaced volume, so they "
                "cannot be placed on the study grid. Export it again from the study's series."
            ),
        ) from None


def encode_dicom_seg(
    bitmask: np.ndarray,
    grid: Grid,
    source_images: Sequence[Dataset],
    *,
    regions: ProtocolRegions | None = None,
    series_number: int = 900,
    series_description: str = "Tumour annotation",
    algorithm_type: str = "MANUAL",
    transfer_syntax_uid: str = ExplicitVRLittleEndian,
) -> tuple[bytes, list[ExchangeWarning]]:
    """Encode the drawn regions as a binary DICOM SEG that references `source_images`.

    `source_images` are the de-identified single-frame images of one series; patient and study
    attributes are copied from them. The bitmask is resampled onto each image's pixel grid by
    nearest neighbour, so every frame lies exactly on a source slice. One segment per drawn
    region (WT, TC, ET), coded as described in `terminology`; empty frames are omitted.

    Frames are bit-packed and uncompressed by default, because every SEG reader accepts that
    and it deflates well inside a zip export. `transfer_syntax_uid` may name JPEG 2000
    Lossless, the one compressed syntax highdicom allows for binary segmentations. Raises
    DICOM_SERIES_INVALID for images of several series, orientations or sizes, or multi-frame
    images, and EXPORT_GRID_MISMATCH when no labelled voxel lies inside the series.
    """
    regions = regions or cns_regions()
    images = _sorted_series(source_images)
    warnings = _series_coverage(bitmask, grid, images)
    keys = list(regions.bits)
    pixels = np.zeros(
        (len(images), int(images[0].Rows), int(images[0].Columns), len(keys)), dtype=np.uint8
    )
    for frame, image in enumerate(images):
        slice_grid = _slice_grid(image)
        values = resample_nearest(bitmask, grid.affine, slice_grid)[0][:, :, 0].T
        for channel, key in enumerate(keys):
            pixels[frame, :, :, channel] = (values & regions.bits[key]) != 0

    segmentation = hd.seg.Segmentation(
        source_images=images,
        pixel_array=pixels,
        segmentation_type=hd.seg.SegmentationTypeValues.BINARY,
        segment_descriptions=_descriptions(keys, regions, algorithm_type),
        series_instance_uid=hd.UID(),
        series_number=series_number,
        sop_instance_uid=hd.UID(),
        instance_number=1,
        manufacturer=MANUFACTURER,
        manufacturer_model_name=MANUFACTURER,
        software_versions=SOFTWARE_VERSION,
        device_serial_number="0",
        series_description=series_description,
        content_label="TUMOUR",
        omit_empty_frames=True,
        transfer_syntax_uid=_usable_syntax(transfer_syntax_uid, pixels.shape[1:3]),
    )
    buffer = io.BytesIO()
    segmentation.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue(), warnings


def _usable_syntax(transfer_syntax_uid: str, frame_shape: tuple[int, ...]) -> str:
    # The JPEG 2000 codec behind highdicom (pylibjpeg-openjpeg) rejects frames smaller than 32
    # pixels both ways; such frames are tiny, so they stay uncompressed.
    if transfer_syntax_uid == JPEG2000Lossless and max(frame_shape) < MIN_JPEG2000_PIXELS:
        return ExplicitVRLittleEndian
    return transfer_syntax_uid


def _descriptions(
    keys: list[str], regions: ProtocolRegions, algorithm_type: str
) -> list[hd.seg.SegmentDescription]:
    return [
        hd.seg.SegmentDescription(
            segment_number=number,
            segment_label=key,
            segmented_property_category=CATEGORY,
            segmented_property_type=PROPERTY_TYPE,
            algorithm_type=algorithm_type,
            tracking_id=key,
            tracking_uid=hd.UID(),
            anatomic_regions=[ANATOMIC_REGION],
            display_color=hd.color.CIELabColor.from_rgb(*rgb_of(regions.colors.get(key))),
        )
        for number, key in enumerate(keys, start=1)
    ]


# One template per reason, so that every message translates whole.
SERIES_TEMPLATES = {
    "empty": gettext_noop(
        "No source images were given, so the DICOM Segmentation has no series to reference. "
        "Choose the series the annotation was drawn on."
    ),
    "geometry": gettext_noop(
        "An image of the series has no %(keyword)s, so its pixels have no position. Choose a "
        "series of MR or CT images with full geometry."
    ),
    "multi-frame": gettext_noop(
        "The series consists of multi-frame images, which DICOM Segmentation export does not "
        "support yet. Choose a series of single-frame images."
    ),
    "series": gettext_noop(
        "The images belong to more than one series. Choose the images of one series."
    ),
    "shape": gettext_noop(
        "The images of the series differ in size or orientation. Choose a series whose images "
        "are parallel slices of one size."
    ),
    "position": gettext_noop(
        "Two images of the series share one slice position. Remove the duplicate images and "
        "try again."
    ),
}


def _invalid_series(reason: str, **params: str) -> ActionableError:
    return ActionableError(
        "DICOM_SERIES_INVALID", SERIES_TEMPLATES[reason], reason=reason, **params
    )


def _sorted_series(source_images: Sequence[Dataset]) -> list[Dataset]:
    """Check that the images form one series of parallel slices; sort them along the normal."""
    if not source_images:
        raise _invalid_series("empty")
    first = source_images[0]
    for image in source_images:
        for keyword in ("ImagePositionPatient", "ImageOrientationPatient", "PixelSpacing"):
            if keyword not in image:
                raise _invalid_series("geometry", keyword=keyword)
        if int(image.get("NumberOfFrames", 1) or 1) > 1:
            # TODO: enhanced multi-frame MR sources need per-frame positions; only single-frame
            # series are exported.
            raise _invalid_series("multi-frame")
        if image.SeriesInstanceUID != first.SeriesInstanceUID:
            raise _invalid_series("series")
        if (image.Rows, image.Columns) != (first.Rows, first.Columns) or not np.allclose(
            image.ImageOrientationPatient, first.ImageOrientationPatient, atol=ORIENTATION_TOLERANCE
        ):
            raise _invalid_series("shape")
    normal = _normal(first)
    ordered = sorted(
        source_images, key=lambda image: float(np.dot(image.ImagePositionPatient, normal))
    )
    positions = [round(float(np.dot(image.ImagePositionPatient, normal)), 3) for image in ordered]
    if len(set(positions)) != len(positions):
        raise _invalid_series("position")
    return ordered


def _normal(image: Dataset) -> np.ndarray:
    orientation = np.asarray(image.ImageOrientationPatient, dtype=np.float64)
    return np.cross(orientation[:3], orientation[3:])


def _slice_grid(image: Dataset, thickness_mm: float = 1.0) -> Grid:
    """Build the RAS grid of one image, indexed [column, row, 0] like a NIfTI slice."""
    orientation = np.asarray(image.ImageOrientationPatient, dtype=np.float64)
    row_spacing, column_spacing = (float(value) for value in image.PixelSpacing)
    affine = np.eye(4)
    affine[:3, 0] = orientation[:3] * column_spacing
    affine[:3, 1] = orientation[3:] * row_spacing
    affine[:3, 2] = _normal(image) * thickness_mm
    affine[:3, 3] = np.asarray(image.ImagePositionPatient, dtype=np.float64)
    return Grid((int(image.Columns), int(image.Rows), 1), LPS_TO_RAS @ affine)


def _series_coverage(
    bitmask: np.ndarray, grid: Grid, images: list[Dataset]
) -> list[ExchangeWarning]:
    """Warn about labelled voxels outside the series, which the SEG cannot hold."""
    labelled = int(np.count_nonzero(bitmask))
    if not labelled:
        return []
    series = _series_grid(images)
    inside = count_labelled_inside(bitmask, grid.affine, series)
    if inside == labelled:
        return []
    if not inside:
        raise ActionableError(
            "EXPORT_GRID_MISMATCH",
            gettext_noop(
                "No labelled voxel lies inside the chosen series (%(series)s), so the DICOM "
                "Segmentation would be empty. Choose the series the annotation was drawn on."
            ),
            series=series.summary(),
        )
    return [
        ExchangeWarning(
            "EXPORT_CLIPPED",
            gettext_noop(
                "%(outside)s of %(labelled)s labelled voxels lie outside the referenced series "
                "and are not in the DICOM Segmentation."
            ),
            {"outside": labelled - inside, "labelled": labelled},
        )
    ]


def _series_grid(images: list[Dataset]) -> Grid:
    """Build one RAS grid for the series, with the mean slice step of its end positions."""
    first = _slice_grid(images[0])
    if len(images) == 1:
        thickness = float(images[0].get("SliceThickness", 1.0) or 1.0)
        return _slice_grid(images[0], thickness)
    step = (_slice_grid(images[-1]).affine[:3, 3] - first.affine[:3, 3]) / (len(images) - 1)
    affine = first.affine.copy()
    affine[:3, 2] = step
    return Grid((first.shape[0], first.shape[1], len(images)), affine)
