"""Reading and writing DICOM files as bytes, keeping unchanged values raw.

Little-endian files (implicit VR, explicit VR and the compressed transfer syntaxes) go through
`rawread` and a writer that copies raw values byte for byte. Big-endian and deflated files, and
files without the DICM prefix, go through pydicom's reader and writer.
"""

import logging
import warnings
from io import BytesIO
from struct import Struct
from typing import Final

import pydicom
from pydicom.charset import encode_string
from pydicom.dataelem import DataElement, RawDataElement
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.errors import InvalidDicomError
from pydicom.filebase import DicomBytesIO
from pydicom.filewriter import write_data_element, write_file_meta_info
from pydicom.sequence import Sequence
from pydicom.tag import BaseTag
from pydicom.uid import (
    DeflatedExplicitVRLittleEndian,
    ExplicitVRBigEndian,
    ExplicitVRLittleEndian,
    ImplicitVRLittleEndian,
)

from annotation_platform.errors import ActionableError, gettext_noop
from annotation_platform.imaging.deid import rawread
from annotation_platform.imaging.deid.charset import character_set_of

logger = logging.getLogger(__name__)

PREAMBLE_LENGTH: Final = 128
PREFIX: Final = b"DICM"
SPECIFIC_CHARACTER_SET: Final = BaseTag(0x00080005)
PIXEL_DATA: Final = BaseTag(0x7FE00010)
_SHORT_HEADER: Final = Struct("<HH2sH")
_LONG_HEADER: Final = Struct("<HH2sHL")
_IMPLICIT_HEADER: Final = Struct("<HHL")
_ITEM_START: Final = _IMPLICIT_HEADER.pack(0xFFFE, 0xE000, rawread.UNDEFINED_LENGTH)
_ITEM_END: Final = _IMPLICIT_HEADER.pack(0xFFFE, 0xE00D, 0)
_SEQUENCE_END: Final = _IMPLICIT_HEADER.pack(0xFFFE, 0xE0DD, 0)
_CHARSET_TEXT_VRS: Final = frozenset({"SH", "LO", "ST", "LT", "UT", "UC", "PN"})
_TEXT_VRS: Final = _CHARSET_TEXT_VRS | frozenset({"AE", "AS", "CS", "DA", "DT", "TM", "UI", "UR"})
_PYDICOM_ONLY_SYNTAXES: Final = frozenset({DeflatedExplicitVRLittleEndian, ExplicitVRBigEndian})


def read_dicom(data: bytes) -> Dataset:
    """Parse a DICOM file held in memory; values stay raw until something reads them.

    Raises ActionableError with code DICOM_TRUNCATED when an element runs past the end of the
    data and DICOM_UNREADABLE when the bytes are not a DICOM data set.
    """
    return read_dicom_for_deid(data, skip_private=False)[0]


def read_dicom_for_deid(
    data: bytes, *, skip_private: bool, keep_private: rawread.KeepPrivate | None = None
) -> tuple[Dataset, int]:
    """Parse like `read_dicom`; with `skip_private`, top-level private data elements that
    `keep_private` does not accept and that cannot be names are not even built (see
    `rawread.read_elements`). Returns the data set and how many private elements were left out.
    """
    if len(data) < PREAMBLE_LENGTH + len(PREFIX) or data[128:132] != PREFIX:
        return _read_with_pydicom(data), 0
    try:
        file_meta, body_start = _read_file_meta(data)
        syntax = file_meta.get("TransferSyntaxUID")
        if syntax is None or syntax in _PYDICOM_ONLY_SYNTAXES or not syntax.is_transfer_syntax:
            return _read_with_pydicom(data), 0
        implicit = syntax == ImplicitVRLittleEndian
        elements, skipped = rawread.read_elements(
            data,
            body_start,
            implicit=implicit,
            skip_private=skip_private,
            keep_private=keep_private,
        )
    except rawread.TruncatedError as exc:
        raise _truncated_error() from exc
    except rawread.UnparsableError:
        return _read_with_pydicom(data), 0
    dataset = Dataset()
    dataset._dict.update(elements)
    dataset.file_meta = file_meta
    dataset.set_original_encoding(implicit, True)
    return dataset, skipped


def _read_file_meta(data: bytes) -> tuple[FileMetaDataset, int]:
    """Return the group 2 elements (always explicit VR little endian) and where the body starts."""
    position = PREAMBLE_LENGTH + len(PREFIX)
    file_meta = FileMetaDataset()
    while position + 8 <= len(data) and data[position : position + 2] == b"\x02\x00":
        element, position = rawread._read_element(data, position, False)
        file_meta._dict[element.tag] = element
    return file_meta, position


def _read_with_pydicom(data: bytes) -> Dataset:
    has_prefix = data[128:132] == PREFIX
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            dataset = pydicom.dcmread(BytesIO(data), force=not has_prefix)
    except (EOFError, OSError) as exc:
        raise _truncated_error() from exc
    except (InvalidDicomError, ValueError, KeyError, TypeError, NotImplementedError) as exc:
        raise _unreadable_error() from exc
    if not has_prefix and not _looks_like_image_dataset(dataset):
        raise _unreadable_error()
    return dataset


def _looks_like_image_dataset(dataset: Dataset) -> bool:
    """Tell a data set from junk: a forced read of arbitrary bytes has no SOP class or instance."""
    return 0x00080016 in dataset._dict or 0x00080018 in dataset._dict


def _truncated_error() -> ActionableError:
    return ActionableError(
        "DICOM_TRUNCATED",
        gettext_noop(
            "The DICOM file ends in the middle of an element, so it was cut short in transfer "
            "or export. Export the series again and upload the complete files."
        ),
    )


def _unreadable_error() -> ActionableError:
    return ActionableError(
        "DICOM_UNREADABLE",
        gettext_noop(
            "The file is not a readable DICOM file. Upload the DICOM files exported from the "
            "scanner or PACS, not reports, viewers or other attachments."
        ),
    )


def write_dicom(dataset: Dataset) -> bytes:
    """Encode `dataset` as a DICOM file (preamble, DICM, file meta, data set) in its syntax.

    The file meta must name the transfer syntax; missing required file meta elements are added
    from the data set (SOP class and instance UIDs) and by pydicom (version, implementation).
    """
    file_meta = _complete_file_meta(dataset)
    syntax = file_meta.TransferSyntaxUID
    if syntax in _PYDICOM_ONLY_SYNTAXES:
        buffer = BytesIO()
        pydicom.dcmwrite(buffer, dataset, enforce_file_format=True)
        return buffer.getvalue()
    head = DicomBytesIO()
    head.write(b"\0" * PREAMBLE_LENGTH + PREFIX)
    write_file_meta_info(head, file_meta, enforce_standard=True)
    out = bytearray(head.getvalue())
    implicit = syntax == ImplicitVRLittleEndian
    _write_dataset(out, dataset, implicit, character_set_of(_charset_value(dataset)).codecs)
    return bytes(out)


def _complete_file_meta(dataset: Dataset) -> FileMetaDataset:
    file_meta = getattr(dataset, "file_meta", None)
    if file_meta is None:
        file_meta = dataset.file_meta = FileMetaDataset()
    if "TransferSyntaxUID" not in file_meta:
        file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    if "MediaStorageSOPClassUID" not in file_meta and "SOPClassUID" in dataset:
        file_meta.MediaStorageSOPClassUID = dataset.SOPClassUID
    if "MediaStorageSOPInstanceUID" not in file_meta and "SOPInstanceUID" in dataset:
        file_meta.MediaStorageSOPInstanceUID = dataset.SOPInstanceUID
    return file_meta


def _charset_value(dataset: Dataset) -> bytes | str | list[str] | None:
    element = dataset._dict.get(SPECIFIC_CHARACTER_SET)
    return None if element is None else element.value


def _write_dataset(
    out: bytearray, dataset: Dataset, implicit: bool, codecs: tuple[str, ...]
) -> None:
    for tag in sorted(dataset._dict):
        element = dataset._dict[tag]
        if isinstance(element, RawDataElement):
            if rawread.element_vr(element) == "SQ":
                # A raw sequence may hold implicit-VR items inside an explicit-VR file (UN
                # encoded), so it is converted and written again in the file's encoding.
                _write_sequence(out, dataset[tag], implicit, codecs)
            else:
                _write_raw(out, element, implicit)
        elif element.VR == "SQ":
            _write_sequence(out, element, implicit, codecs)
        else:
            _write_converted(out, element, implicit, codecs)


def _write_raw(out: bytearray, element: RawDataElement, implicit: bool) -> None:
    value = element.value or b""
    undefined = element.length == rawread.UNDEFINED_LENGTH
    length = rawread.UNDEFINED_LENGTH if undefined else len(value)
    group, number = element.tag >> 16, element.tag & 0xFFFF
    if implicit:
        out += _IMPLICIT_HEADER.pack(group, number, length)
    else:
        vr = rawread.element_vr(element).encode("ascii")
        if vr not in rawread.LONG_LENGTH_VRS and length > 0xFFFF:
            vr = b"UN"
        if vr in rawread.LONG_LENGTH_VRS:
            out += _LONG_HEADER.pack(group, number, vr, 0, length)
        else:
            out += _SHORT_HEADER.pack(group, number, vr, length)
    out += value
    if undefined:
        out += _SEQUENCE_END


def _write_sequence(
    out: bytearray, element: DataElement, implicit: bool, codecs: tuple[str, ...]
) -> None:
    group, number = element.tag >> 16, element.tag & 0xFFFF
    if implicit:
        out += _IMPLICIT_HEADER.pack(group, number, rawread.UNDEFINED_LENGTH)
    else:
        out += _LONG_HEADER.pack(group, number, b"SQ", 0, rawread.UNDEFINED_LENGTH)
    items: Sequence = element.value or Sequence()
    for item in items:
        item_codecs = codecs
        if SPECIFIC_CHARACTER_SET in item._dict:
            item_codecs = character_set_of(_charset_value(item)).codecs
        out += _ITEM_START
        _write_dataset(out, item, implicit, item_codecs)
        out += _ITEM_END
    out += _SEQUENCE_END


def _write_converted(
    out: bytearray, element: DataElement, implicit: bool, codecs: tuple[str, ...]
) -> None:
    value = element.value
    if element.VR in _TEXT_VRS and (value is None or isinstance(value, str | list)):
        _write_text(out, element, implicit, codecs)
        return
    buffer = DicomBytesIO()
    buffer.is_little_endian = True
    buffer.is_implicit_VR = implicit
    write_data_element(buffer, element, list(codecs))
    out += buffer.getvalue()


def _write_text(
    out: bytearray, element: DataElement, implicit: bool, codecs: tuple[str, ...]
) -> None:
    """Encode a string value directly (pydicom's writer costs several times more per element)."""
    value = element.value
    if value is None:
        text = ""
    elif isinstance(value, str):
        text = value
    else:
        text = "\\".join(map(str, value))
    vr = element.VR
    if vr in _CHARSET_TEXT_VRS and not text.isascii():
        encoded = encode_string(text, list(codecs))
    else:
        encoded = text.encode("ascii", "replace")
    if len(encoded) % 2:
        encoded += b"\0" if vr == "UI" else b" "
    raw = RawDataElement(element.tag, vr, len(encoded), encoded, 0, implicit, True)
    _write_raw(out, raw, implicit)
