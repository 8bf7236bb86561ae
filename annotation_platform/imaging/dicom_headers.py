"""Read the DICOM attributes that series grouping and geometry checks need, without pixel data.

Positions and orientations stay in DICOM patient coordinates (LPS, millimetres). dcm2niix converts
them to NIfTI RAS when it writes the volume.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pydicom
from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError

logger = logging.getLogger(__name__)

Vector = tuple[float, float, float]
Orientation = tuple[float, float, float, float, float, float]

ENHANCED_MR_SOP_CLASSES = frozenset(
    {
        "1.2.840.10008.5.1.4.1.1.4.1",  # Enhanced MR Image Storage
        "1.2.840.10008.5.1.4.1.1.4.3",  # Enhanced MR Color Image Storage
        "1.2.840.10008.5.1.4.1.1.4.4",  # Legacy Converted Enhanced MR Image Storage
    }
)

# Attributes whose values tell apart images at one slice position that belong to different
# volumes: time points, echoes, inversion times, diffusion directions, magnitude and phase.
VOLUME_KEY_KEYWORDS = (
    "AcquisitionNumber",
    "TemporalPositionIdentifier",
    "EchoNumbers",
    "EchoTime",
    "InversionTime",
    "TriggerTime",
    "AcquisitionTime",
    "DiffusionBValue",
    "DiffusionGradientOrientation",
    "ImageType",
)

# Vendor private attributes with the same role, as (group, element offset, private creator).
VOLUME_KEY_PRIVATE = (
    (0x0019, 0x0C, "SIEMENS MR HEADER"),  # B_value
    (0x0019, 0x0E, "SIEMENS MR HEADER"),  # DiffusionGradientDirection
    (0x0043, 0x39, "GEMS_PARM_01"),  # b-value and scale factors
    (0x0019, 0xBB, "GEMS_ACQU_01"),  # diffusion direction, x
    (0x0019, 0xBC, "GEMS_ACQU_01"),  # diffusion direction, y
    (0x0019, 0xBD, "GEMS_ACQU_01"),  # diffusion direction, z
    (0x2001, 0x03, "Philips Imaging DD 001"),  # diffusion b-factor
    (0x0065, 0x0A, "Image Private Header"),  # United Imaging b-value
    (0x0065, 0x37, "Image Private Header"),  # United Imaging gradient direction
)

# Number of slices tiled into one mosaic image, as (group, element offset, private creator).
SIEMENS_MOSAIC_COUNT = (0x0019, 0x0A, "SIEMENS MR HEADER")  # NumberOfImagesInMosaic
UIH_MOSAIC_COUNT = (0x0065, 0x50, "Image Private Header")  # United Imaging slices per mosaic

# The groups that _private_blocks reads.
PRIVATE_GROUPS = frozenset(
    group for group, _, _ in (*VOLUME_KEY_PRIVATE, SIEMENS_MOSAIC_COUNT, UIH_MOSAIC_COUNT)
)


@dataclass(frozen=True)
class InstanceHeader:
    """Geometry and identity of one DICOM image file; it stores no patient attributes."""

    path: Path
    sop_instance_uid: str
    sop_class_uid: str
    series_instance_uid: str
    series_number: int | None
    instance_number: int | None
    acquisition_number: int | None
    modality: str
    image_type: tuple[str, ...]
    rows: int
    columns: int
    # (row spacing, column spacing) in mm, as in Pixel Spacing (0028,0030).
    pixel_spacing_mm: tuple[float, float] | None
    # Image Orientation (Patient): row direction cosines, then column direction cosines.
    orientation: Orientation | None
    # Image Position (Patient) of the first transmitted pixel, LPS mm. For enhanced files,
    # the position of the first frame.
    position: Vector | None
    number_of_frames: int
    is_enhanced: bool
    # Siemens and United Imaging store a volume's slices as tiles of one mosaic image.
    is_mosaic: bool
    mosaic_slices: int | None
    # Per-frame positions and orientations of an enhanced multi-frame file, in frame order.
    frame_positions: tuple[Vector, ...]
    frame_orientations: tuple[Orientation, ...]
    # Values that distinguish images of different volumes at the same slice position.
    volume_key: tuple[str, ...]
    # Number of Temporal Positions (0020,0105); 1 when absent.
    temporal_positions: int

    @property
    def is_multiframe(self) -> bool:
        return self.number_of_frames > 1

    @property
    def is_localizer(self) -> bool:
        """Return whether Image Type marks the image as a localizer (scout)."""
        return "LOCALIZER" in self.image_type


def read_headers(source: Path | Iterable[Path]) -> list[InstanceHeader]:
    """Read the headers of the DICOM images in a folder (searched recursively) or a list of files.

    Files that are not DICOM, or DICOM objects without pixel data (DICOMDIR, structured
    reports), are skipped and counted in the log. Symbolic links inside a folder are not followed.
    """
    paths = _list_files(source) if isinstance(source, Path) and source.is_dir() else source
    if isinstance(paths, Path):
        paths = [paths]

    headers: list[InstanceHeader] = []
    skipped = 0
    for path in paths:
        header = read_header(Path(path))
        if header is None:
            skipped += 1
        else:
            headers.append(header)

    if skipped:
        logger.info("Skipped %d files that are not DICOM images", skipped)
    return headers


def read_header(path: Path) -> InstanceHeader | None:
    """Read one file's header; return None when the file is not a DICOM image."""
    try:
        dataset = pydicom.dcmread(path, stop_before_pixels=True)
    except (InvalidDicomError, EOFError, OSError, ValueError, TypeError, KeyError):
        logger.debug("Not a readable DICOM file, skipped", exc_info=True)
        return None
    if "Rows" not in dataset or "Columns" not in dataset:
        return None
    return _header_from_dataset(path, dataset)


def _list_files(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file() and not path.is_symlink())


def header_from_dataset(path: Path, dataset: Dataset) -> InstanceHeader:
    """Build the header of a dataset already in memory (read from or written to `path`)."""
    return _header_from_dataset(path, dataset)


def _header_from_dataset(path: Path, dataset: Dataset) -> InstanceHeader:
    sop_class_uid = str(dataset.get("SOPClassUID", ""))
    is_enhanced = sop_class_uid in ENHANCED_MR_SOP_CLASSES or (
        "PerFrameFunctionalGroupsSequence" in dataset
    )
    frame_positions, frame_orientations = _frame_geometry(dataset) if is_enhanced else ((), ())
    orientation = _orientation(dataset.get("ImageOrientationPatient"))
    position = _vector(dataset.get("ImagePositionPatient"))
    pixel_spacing = _pair(dataset.get("PixelSpacing"))
    private_blocks = _private_blocks(dataset)
    is_mosaic, mosaic_slices = _mosaic(dataset, private_blocks)
    if is_enhanced:
        orientation = orientation or (frame_orientations[0] if frame_orientations else None)
        position = position or (frame_positions[0] if frame_positions else None)
        pixel_spacing = pixel_spacing or _enhanced_pixel_spacing(dataset)

    return InstanceHeader(
        path=path,
        sop_instance_uid=str(dataset.get("SOPInstanceUID", "")),
        sop_class_uid=sop_class_uid,
        series_instance_uid=str(dataset.get("SeriesInstanceUID", "")),
        series_number=_int(dataset.get("SeriesNumber")),
        instance_number=_int(dataset.get("InstanceNumber")),
        acquisition_number=_int(dataset.get("AcquisitionNumber")),
        modality=str(dataset.get("Modality", "")),
        image_type=tuple(str(value).upper() for value in _as_list(dataset.get("ImageType"))),
        rows=int(dataset.Rows),
        columns=int(dataset.Columns),
        pixel_spacing_mm=pixel_spacing,
        orientation=orientation,
        position=position,
        number_of_frames=_int(dataset.get("NumberOfFrames")) or 1,
        is_enhanced=is_enhanced,
        is_mosaic=is_mosaic,
        mosaic_slices=mosaic_slices,
        frame_positions=frame_positions,
        frame_orientations=frame_orientations,
        volume_key=_volume_key(dataset, private_blocks),
        temporal_positions=_int(dataset.get("NumberOfTemporalPositions")) or 1,
    )


def _frame_geometry(dataset: Dataset) -> tuple[tuple[Vector, ...], tuple[Orientation, ...]]:
    """Read per-frame positions and orientations from the functional groups of an enhanced file.

    Either tuple is empty when any frame lacks the attribute, so callers never see a partial list.
    """
    shared = _first_item(dataset.get("SharedFunctionalGroupsSequence"))
    shared_orientation = _orientation(
        _nested(shared, "PlaneOrientationSequence", "ImageOrientationPatient")
    )
    positions: list[Vector] = []
    orientations: list[Orientation] = []
    for frame in dataset.get("PerFrameFunctionalGroupsSequence") or []:
        position = _vector(_nested(frame, "PlanePositionSequence", "ImagePositionPatient"))
        orientation = _orientation(
            _nested(frame, "PlaneOrientationSequence", "ImageOrientationPatient")
        )
        if position is not None:
            positions.append(position)
        if orientation or shared_orientation:
            orientations.append(orientation or shared_orientation)  # type: ignore[arg-type]

    frame_count = len(dataset.get("PerFrameFunctionalGroupsSequence") or [])
    complete_positions = tuple(positions) if len(positions) == frame_count else ()
    complete_orientations = tuple(orientations) if len(orientations) == frame_count else ()
    return complete_positions, complete_orientations


def _enhanced_pixel_spacing(dataset: Dataset) -> tuple[float, float] | None:
    for groups in ("SharedFunctionalGroupsSequence", "PerFrameFunctionalGroupsSequence"):
        item = _first_item(dataset.get(groups))
        spacing = _pair(_nested(item, "PixelMeasuresSequence", "PixelSpacing"))
        if spacing is not None:
            return spacing
    return None


def _mosaic(
    dataset: Dataset, private_blocks: dict[tuple[int, str], int]
) -> tuple[bool, int | None]:
    """Return whether the image is a mosaic, and its slice count where the header records one."""
    image_type = [str(value).upper() for value in _as_list(dataset.get("ImageType"))]
    if "MOSAIC" in image_type:
        return True, _int(_private_value(dataset, private_blocks, *SIEMENS_MOSAIC_COUNT))
    uih_count = _int(_private_value(dataset, private_blocks, *UIH_MOSAIC_COUNT))
    if uih_count is not None and uih_count > 1:
        return True, uih_count
    return False, None


def _volume_key(dataset: Dataset, private_blocks: dict[tuple[int, str], int]) -> tuple[str, ...]:
    values = [str(dataset.get(keyword, "")) for keyword in VOLUME_KEY_KEYWORDS]
    values += [
        str(_private_value(dataset, private_blocks, group, offset, creator))
        for group, offset, creator in VOLUME_KEY_PRIVATE
    ]
    return tuple(values)


def _private_blocks(dataset: Dataset) -> dict[tuple[int, str], int]:
    """Map (group, upper-case private creator) to the lowest block that the creator reserves.

    Only the groups of PRIVATE_GROUPS are read. One pass over the data set's tags replaces up to
    240 membership tests per private attribute, which took most of the time of read_headers on
    a Philips 3D T1 series (bench/bench_convert.py: 1.3 s before, 0.65 s after, 2 CPUs).
    """
    blocks: dict[tuple[int, str], int] = {}
    for tag in dataset.keys():
        group, block = tag >> 16, tag & 0xFFFF
        if group not in PRIVATE_GROUPS or not 0x10 <= block <= 0xFF:
            continue
        value = dataset[tag].value
        if isinstance(value, bytes):
            value = value.decode("latin-1", errors="replace")
        key = (group, str(value).strip().upper())
        blocks[key] = min(block, blocks.get(key, block))
    return blocks


def _private_value(
    dataset: Dataset,
    private_blocks: dict[tuple[int, str], int],
    group: int,
    offset: int,
    creator: str,
) -> Any:
    """Return the value of a private element, found through its creator's block in
    `private_blocks`.

    pydicom's get_private_item sorts a slice of the whole data set on every call, which is many
    times slower on files with large private blocks.
    """
    block = private_blocks.get((group, creator.strip().upper()))
    if block is None:
        return None
    element = (group << 16) | (block << 8) | offset
    return dataset[element].value if element in dataset else None


def _first_item(sequence: Any) -> Dataset | None:
    if not sequence:
        return None
    item = sequence[0]
    return item if isinstance(item, Dataset) else None


def _nested(item: Dataset | None, sequence_keyword: str, keyword: str) -> Any:
    if item is None:
        return None
    inner = _first_item(item.get(sequence_keyword))
    return None if inner is None else inner.get(keyword)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str | bytes):
        return [value]
    try:
        return list(value)
    except TypeError:
        return [value]


def _floats(value: Any, count: int) -> tuple[float, ...] | None:
    items = _as_list(value)
    if len(items) != count:
        return None
    try:
        return tuple(float(item) for item in items)
    except (TypeError, ValueError):
        return None


def _vector(value: Any) -> Vector | None:
    return _floats(value, 3)  # type: ignore[return-value]


def _orientation(value: Any) -> Orientation | None:
    return _floats(value, 6)  # type: ignore[return-value]


def _pair(value: Any) -> tuple[float, float] | None:
    return _floats(value, 2)  # type: ignore[return-value]


def _int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
