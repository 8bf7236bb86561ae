"""Header-only checks of uploaded DICOM files.

pydicom reads the data set up to the Pixel Data element and no further. The Pixel Data element
is then measured without reading its value: a native value must fit in the file and hold every
frame, and the items of an encapsulated value are walked by their lengths up to the sequence
delimiter.
"""

import io
import logging
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pydicom
from pydicom.dataelem import RawDataElement
from pydicom.dataset import Dataset
from pydicom.errors import BytesLengthException, InvalidDicomError
from pydicom.uid import UID, DeflatedExplicitVRLittleEndian, MediaStorageDirectoryStorage

from annotation_platform.imaging.intake import dicom_messages as messages
from annotation_platform.imaging.intake.sniff import FileKind, sniff

logger = logging.getLogger(__name__)

# Values larger than this are skipped, not read, while parsing the header (private blobs).
DEFER_BYTES = 4096
PIXEL_DATA_TAGS = frozenset({0x7FE00010, 0x7FE00008, 0x7FE00009})  # Pixel, Float, Double Float
ITEM_TAG = 0xFFFEE000
SEQUENCE_DELIMITER_TAG = 0xFFFEE0DD
UNDEFINED_LENGTH = 0xFFFFFFFF
# The file meta group starts after the 128-byte preamble and the 'DICM' prefix.
META_START = 132
LONG_LENGTH_VRS = frozenset(b"OB OD OF OL OV OW SQ SV UC UN UR UT UV".split())
# Files up to this size are checked from a copy in memory: pydicom parses a header about a fifth
# faster from io.BytesIO than from a buffered file, and a single-frame image is well below it.
IN_MEMORY_MAX_BYTES = 4 * 1024 * 1024
# pydicom raises all of these on damaged or crafted headers; RecursionError comes from deeply
# nested sequences.
PARSE_ERRORS = (
    InvalidDicomError,
    BytesLengthException,
    EOFError,
    OSError,
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    AttributeError,
    NotImplementedError,
    OverflowError,
    RecursionError,
    struct.error,
)


@dataclass(frozen=True)
class DicomCheck:
    """Technical facts from one DICOM header. No identifying attribute is read into it."""

    sop_class_uid: str
    sop_class_name: str
    # Empty when the file has no file meta information (files without preamble).
    transfer_syntax_uid: str
    modality: str
    rows: int
    columns: int
    number_of_frames: int
    samples_per_pixel: int
    bits_allocated: int
    encapsulated: bool
    has_preamble: bool
    # "DICOMDIR_SKIPPED" when the file is a media directory: not imported, and not an error.
    skip_code: str | None = None

    @property
    def is_multiframe(self) -> bool:
        return self.number_of_frames > 1


@dataclass(frozen=True)
class PixelElement:
    """Position of a Pixel Data value in the file, and its declared length."""

    tag: int
    value_start: int
    length: int


def check_dicom(path: Path, *, name: str | None = None) -> DicomCheck:
    """Read a DICOM header (never the pixel values) and check that the file is a whole image.

    Raises ActionableError DICOM_UNREADABLE, DICOM_UNSUPPORTED_TRANSFER_SYNTAX, DICOM_TRUNCATED or
    DICOM_NOT_AN_IMAGE. Returns a DicomCheck with skip_code DICOMDIR_SKIPPED for a DICOMDIR.
    `name` is the name shown to the uploader.
    """
    name = name or path.name
    if sniff(path, name) is not FileKind.DICOM:
        raise messages.unreadable(name)
    file_size = path.stat().st_size
    with _open_for_check(path, file_size) as stream:
        has_preamble = stream.read(132)[128:132] == b"DICM"
        _check_file_meta(path, stream, has_preamble, file_size, name)
        dataset = _read_header(stream, has_preamble, name)
        pixel = _read_pixel_element(stream, stream.tell(), dataset, name)
        sop_class = _sop_class(dataset)
        if sop_class == MediaStorageDirectoryStorage or "DirectoryRecordSequence" in dataset:
            return _dicomdir_check(dataset, sop_class, has_preamble)
        _check_header_complete(dataset, pixel, file_size, name)
        _check_image_class(sop_class, pixel, name)
        check = _image_check(dataset, sop_class, pixel, has_preamble, name)
        _check_pixel_data_complete(stream, pixel, check, dataset, file_size, name)
    return check


def _open_for_check(path: Path, file_size: int) -> BinaryIO:
    if file_size <= IN_MEMORY_MAX_BYTES:
        return io.BytesIO(path.read_bytes())
    return path.open("rb")


def _check_file_meta(
    path: Path, stream: BinaryIO, has_preamble: bool, file_size: int, name: str
) -> None:
    """Reject a truncated file meta group, and the Deflated Explicit VR Little Endian transfer
    syntax before pydicom inflates such a data set in one unbounded call.

    Files without preamble have no standard file meta group, so their first 4 KiB, where one
    would be, are searched for the deflated transfer syntax UID instead.
    """
    if has_preamble:
        try:
            meta = pydicom.filereader.read_file_meta_info(path)
        except PARSE_ERRORS as error:
            logger.info("DICOM file meta unreadable: %s", type(error).__name__)
            raise messages.unreadable(name) from error
        # The group length counts the bytes after its own 12-byte element, which follows 'DICM'.
        meta_end = META_START + 12 + int(meta.get("FileMetaInformationGroupLength") or 0)
        if meta_end > file_size:
            raise messages.truncated_header(name)
        deflated = meta.get("TransferSyntaxUID") == DeflatedExplicitVRLittleEndian
    else:
        stream.seek(0)
        deflated = DeflatedExplicitVRLittleEndian.encode("ascii") in stream.read(4096)
    stream.seek(0)
    if deflated:
        raise messages.unsupported_transfer_syntax(name, DeflatedExplicitVRLittleEndian)


def _read_header(stream: BinaryIO, has_preamble: bool, name: str) -> Dataset:
    """Parse the data set up to Pixel Data, leaving `stream` at the Pixel Data element.

    NOTE: pydicom 3.0.2 applies defer_size to top-level elements only and reads values inside
    sequences whole, so a crafted header can take memory up to the file size, which the upload
    size limit bounds.
    """
    try:
        return pydicom.dcmread(
            stream, stop_before_pixels=True, defer_size=DEFER_BYTES, force=not has_preamble
        )
    except (EOFError, struct.error) as error:
        # pydicom unpacks element headers with struct, which fails on a short read.
        raise messages.truncated_header(name) from error
    except PARSE_ERRORS as error:
        logger.info("DICOM header unreadable: %s", type(error).__name__)
        raise messages.unreadable(name) from error


def _sop_class(dataset: Dataset) -> UID:
    meta = getattr(dataset, "file_meta", None)
    uid = dataset.get("SOPClassUID") or (meta.get("MediaStorageSOPClassUID") if meta else None)
    return UID(str(uid or ""))


def _dicomdir_check(dataset: Dataset, sop_class: UID, has_preamble: bool) -> DicomCheck:
    return DicomCheck(
        sop_class_uid=str(sop_class),
        sop_class_name="Media Storage Directory Storage",
        transfer_syntax_uid=_transfer_syntax(dataset),
        modality="",
        rows=0,
        columns=0,
        number_of_frames=0,
        samples_per_pixel=0,
        bits_allocated=0,
        encapsulated=False,
        has_preamble=has_preamble,
        skip_code="DICOMDIR_SKIPPED",
    )


def _check_header_complete(
    dataset: Dataset, pixel: PixelElement | None, file_size: int, name: str
) -> None:
    """Raise DICOM_UNREADABLE for an empty data set and DICOM_TRUNCATED for a cut-off header.

    pydicom stops quietly at the end of a truncated file. Elements not yet converted are raw and
    carry their position, so one that runs past the end shows the cut. Without Pixel Data, bytes
    left after the last raw element show a cut inside an element header. The check is blind to a
    cut inside a sequence, where the message for image classes without pixel data still states that
    the file is incomplete.
    """
    if len(dataset) == 0 and pixel is None:
        raise messages.unreadable(name)
    data_set_end = 0
    last_converted_start = 0
    # The data set's own element map: Dataset.get_item would look up each tag again, and
    # Dataset.elements reads deferred values.
    for element in dataset._dict.values():
        if not isinstance(element, RawDataElement):
            last_converted_start = max(last_converted_start, element.file_tell or 0)
            continue
        if element.length == UNDEFINED_LENGTH:
            continue
        element_end = element.value_tell + element.length
        if element_end > file_size:
            raise messages.truncated_header(name)
        data_set_end = max(data_set_end, element_end)
    # A converted element (a sequence) that starts after the last raw one may hide the cut.
    last_is_raw = last_converted_start <= data_set_end
    if pixel is None and 0 < data_set_end < file_size and last_is_raw:
        raise messages.truncated_header(name)


def _read_pixel_element(
    stream: BinaryIO, position: int, dataset: Dataset, name: str
) -> PixelElement | None:
    """Parse the Pixel Data element header at `position`; None when the data set has none."""
    is_implicit, is_little = dataset.original_encoding
    order = "<" if is_little or is_little is None else ">"
    stream.seek(position)
    raw = stream.read(12)
    if len(raw) < 8:
        return None
    group, element = struct.unpack(f"{order}HH", raw[:4])
    tag = (group << 16) | element
    if tag not in PIXEL_DATA_TAGS:
        return None
    if is_implicit:
        (length,) = struct.unpack(f"{order}I", raw[4:8])
        return PixelElement(tag, position + 8, length)
    if raw[4:6] not in LONG_LENGTH_VRS:
        (length,) = struct.unpack(f"{order}H", raw[6:8])
        return PixelElement(tag, position + 8, length)
    if len(raw) < 12:
        raise messages.truncated_pixel_data(name)
    (length,) = struct.unpack(f"{order}I", raw[8:12])
    return PixelElement(tag, position + 12, length)


def _check_image_class(sop_class: UID, pixel: PixelElement | None, name: str) -> None:
    """Reject known SOP classes that are not images, and any data set without Pixel Data.

    A SOP class missing from pydicom's dictionary (a private one) with Pixel Data is accepted,
    so the conversion step decides.
    """
    known = sop_class.type == "SOP Class"
    is_image_class = known and "Image Storage" in sop_class.name
    class_name = sop_class.name if known else (str(sop_class) or "unknown")
    if pixel is None and is_image_class:
        raise messages.image_without_pixels(name, class_name)
    if pixel is None or (known and not is_image_class):
        raise messages.not_an_image(name, class_name)


def _image_check(
    dataset: Dataset, sop_class: UID, pixel: PixelElement | None, has_preamble: bool, name: str
) -> DicomCheck:
    try:
        rows = int(dataset["Rows"].value)
        columns = int(dataset["Columns"].value)
        bits_allocated = int(dataset["BitsAllocated"].value)
        frames = int(dataset.get("NumberOfFrames") or 1)
        samples = int(dataset.get("SamplesPerPixel") or 1)
    except (KeyError, ValueError, TypeError) as error:
        raise messages.missing_image_attributes(name) from error
    if min(rows, columns, bits_allocated, frames, samples) <= 0:
        raise messages.missing_image_attributes(name)
    return DicomCheck(
        sop_class_uid=str(sop_class),
        sop_class_name=sop_class.name,
        transfer_syntax_uid=_transfer_syntax(dataset),
        modality=str(dataset.get("Modality") or ""),
        rows=rows,
        columns=columns,
        number_of_frames=frames,
        samples_per_pixel=samples,
        bits_allocated=bits_allocated,
        encapsulated=pixel is not None and pixel.length == UNDEFINED_LENGTH,
        has_preamble=has_preamble,
    )


def _check_pixel_data_complete(
    stream: BinaryIO,
    pixel: PixelElement | None,
    check: DicomCheck,
    dataset: Dataset,
    file_size: int,
    name: str,
) -> None:
    if pixel is None:
        return
    if check.encapsulated:
        fragments = _count_fragments(stream, pixel.value_start, file_size, name)
        # The first item is the Basic Offset Table; every frame needs one fragment or more.
        if fragments - 1 < check.number_of_frames:
            raise messages.truncated_pixel_data(name)
        return
    expected = _native_pixel_bytes(check, str(dataset.get("PhotometricInterpretation") or ""))
    if pixel.value_start + pixel.length > file_size or pixel.length < expected:
        raise messages.truncated_pixel_data(name)


def _native_pixel_bytes(check: DicomCheck, photometric: str) -> int:
    """Return the bytes that native (uncompressed) Pixel Data must hold (PS3.5 section 8.1.1)."""
    samples = check.rows * check.columns * check.number_of_frames * check.samples_per_pixel
    if check.bits_allocated == 1:
        return (samples + 7) // 8
    size = samples * check.bits_allocated // 8
    # YBR_FULL_422 stores two chroma samples per two pixels: 2/3 of the three-sample size.
    return size * 2 // 3 if photometric == "YBR_FULL_422" else size


def _count_fragments(stream: BinaryIO, start: int, file_size: int, name: str) -> int:
    """Walk the items of encapsulated Pixel Data and return how many precede the delimiter.

    Raises DICOM_TRUNCATED when the file ends before the sequence delimiter, and
    DICOM_UNREADABLE when an item tag is wrong. Encapsulated data are always little endian.
    """
    position = start
    items = 0
    while True:
        stream.seek(position)
        raw = stream.read(8)
        if len(raw) < 8:
            raise messages.truncated_pixel_data(name)
        group, element, length = struct.unpack("<HHI", raw)
        tag = (group << 16) | element
        if tag == SEQUENCE_DELIMITER_TAG:
            return items
        if tag != ITEM_TAG or length == UNDEFINED_LENGTH:
            raise messages.unreadable(name)
        position += 8 + length
        if position > file_size:
            raise messages.truncated_pixel_data(name)
        items += 1


def _transfer_syntax(dataset: Dataset) -> str:
    meta = getattr(dataset, "file_meta", None)
    return str(meta.get("TransferSyntaxUID") or "") if meta is not None else ""
