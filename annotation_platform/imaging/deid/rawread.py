"""A fast reader for little-endian data sets that leaves every value raw, sequences included.

pydicom's reader parses every sequence, private ones too, as it reads; a Philips MR file has
hundreds of private elements, and that parsing is most of the time spent per file. This reader
only finds where each top-level element starts and ends and builds the `RawDataElement`s that
pydicom would build, with a sequence left as the raw bytes of its items. pydicom converts a
sequence on first access, so de-identification pays only for the public sequences it processes
and deletes private ones without parsing them.
"""

from collections.abc import Callable
from struct import Struct
from typing import Final

from pydicom.datadict import dictionary_VR
from pydicom.dataelem import RawDataElement
from pydicom.tag import BaseTag

_TAG_AND_SHORT_LENGTH: Final = Struct("<HH2sH")
_TAG_AND_LONG_LENGTH: Final = Struct("<HHL")
_LENGTH: Final = Struct("<L")
UNDEFINED_LENGTH: Final = 0xFFFFFFFF
MAX_NAME_LENGTH: Final = 256
ITEM: Final = 0xFFFEE000
ITEM_DELIMITER: Final = 0xFFFEE00D
SEQUENCE_DELIMITER: Final = 0xFFFEE0DD
# VRs whose explicit-VR header has two reserved bytes and a 4-byte length (PS3.5 7.1.2).
LONG_LENGTH_VRS: Final = frozenset(
    {b"OB", b"OD", b"OF", b"OL", b"OV", b"OW", b"SQ", b"SV", b"UC", b"UN", b"UR", b"UT", b"UV"}
)
_VALID_VRS: Final = LONG_LENGTH_VRS | frozenset(
    {b"AE", b"AS", b"AT", b"CS", b"DA", b"DS", b"DT", b"FD", b"FL", b"IS", b"LO", b"LT", b"PN"}
    | {b"SH", b"SL", b"SS", b"ST", b"TM", b"UI", b"UL", b"US"}
)


# Returns the block offsets (low byte of the element number) of the private data elements to
# read in the block of a private creator, given the group and the creator's raw value.
KeepPrivate = Callable[[int, bytes], frozenset[int]]


class TruncatedError(ValueError):
    """An element's value runs past the end of the data."""


class UnparsableError(ValueError):
    """The bytes do not follow the expected encoding (for example an invalid VR)."""


def read_elements(
    data: bytes,
    start: int,
    *,
    implicit: bool,
    skip_private: bool = False,
    keep_private: KeepPrivate | None = None,
) -> tuple[dict[BaseTag, RawDataElement], int]:
    """Return the raw top-level elements of the data set encoded from `start` to the end.

    With `skip_private`, private data elements are left out without being built, except those
    at the block offsets that `keep_private(group, creator)` returns for their private creator
    and those whose value may be a person name (VR PN, or short ASCII text with a "^"), which
    de-identification mines for identifying tokens. Private creators are always read. The
    second value is how many elements were left out.
    Raises TruncatedError when a value runs past the end and UnparsableError for bytes that are
    not an element header; the caller falls back to pydicom's reader for the latter.
    """
    elements: dict[BaseTag, RawDataElement] = {}
    # Block offsets to read, by (group << 8 | block), filled as each private creator is read.
    kept_offsets: dict[int, frozenset[int]] = {}
    skipped = 0
    position = start
    end = len(data)
    while position < end:
        if end - position < 8:
            raise TruncatedError
        # The low byte of the group comes first: an odd one marks a private element, and an
        # element number from 0x0010 to 0x00FF (high byte zero) a private creator.
        is_private = skip_private and data[position] & 1
        is_creator = is_private and data[position + 3] == 0 and data[position + 2] >= 0x10
        if is_private and not is_creator:
            next_position = _skip_private(data, position, implicit, kept_offsets)
            if next_position is not None:
                position = next_position
                skipped += 1
                continue
        element, position = _read_element(data, position, implicit)
        elements[element.tag] = element
        if is_creator and keep_private is not None and element.value:
            tag = element.tag
            kept_offsets[(tag >> 16) << 8 | (tag & 0xFF)] = keep_private(tag >> 16, element.value)
    return elements, skipped


def _skip_private(
    data: bytes, position: int, implicit: bool, kept_offsets: dict[int, frozenset[int]]
) -> int | None:
    """Return where the next element starts, or None when this private element is to be read:
    its block offset is in `kept_offsets` or its value may be a name.
    """
    tag, vr, length, value_start = _read_header(data, position, implicit)
    offsets = kept_offsets.get(tag >> 8)
    if offsets and tag & 0xFF in offsets:
        return None
    if length == UNDEFINED_LENGTH:
        return _undefined_length_end(data, value_start, implicit, vr)[1]
    value_end = value_start + length
    if value_end > len(data):
        raise TruncatedError
    if vr == b"PN" or (length < MAX_NAME_LENGTH and data.find(b"^", value_start, value_end) >= 0):
        return None
    return value_end


def _read_element(data: bytes, position: int, implicit: bool) -> tuple[RawDataElement, int]:
    tag, vr, length, value_start = _read_header(data, position, implicit)
    if length == UNDEFINED_LENGTH:
        value_end, next_position = _undefined_length_end(data, value_start, implicit, vr)
    else:
        value_end = next_position = value_start + length
        if value_end > len(data):
            raise TruncatedError
    value = data[value_start:value_end]
    vr_name = vr.decode("ascii") if vr else None
    value_implicit = implicit
    if length == UNDEFINED_LENGTH and vr_name not in ("OB", "OW"):
        # A sequence with undefined length keeps only its items, and pydicom reads it back by
        # size. Encapsulated pixel data (OB or OW) keeps the undefined length, as pydicom does.
        value_implicit = implicit or vr_name == "UN"
        vr_name = "SQ"
        length = len(value)
    raw = RawDataElement(BaseTag(tag), vr_name, length, value, value_start, value_implicit, True)
    return raw, next_position


def _read_header(data: bytes, position: int, implicit: bool) -> tuple[int, bytes, int, int]:
    """Return tag, VR (b"" when implicit), value length and value offset of one element."""
    if implicit:
        group, element, length = _TAG_AND_LONG_LENGTH.unpack_from(data, position)
        return group << 16 | element, b"", length, position + 8
    group, element, vr, length = _TAG_AND_SHORT_LENGTH.unpack_from(data, position)
    if vr in LONG_LENGTH_VRS:
        if len(data) - position < 12:
            raise TruncatedError
        return group << 16 | element, vr, _LENGTH.unpack_from(data, position + 8)[0], position + 12
    if vr not in _VALID_VRS:
        raise UnparsableError
    return group << 16 | element, vr, length, position + 8


def _undefined_length_end(data: bytes, position: int, implicit: bool, vr: bytes) -> tuple[int, int]:
    """Return where the items of an undefined-length value end and where the next element starts.

    Sequence items with undefined length are walked element by element; an explicit-VR UN
    value of undefined length holds an implicit-VR little-endian sequence (PS3.5 6.2.2).
    """
    nested_implicit = implicit or vr == b"UN"
    while True:
        if len(data) - position < 8:
            raise TruncatedError
        group, element, length = _TAG_AND_LONG_LENGTH.unpack_from(data, position)
        tag = group << 16 | element
        if tag == SEQUENCE_DELIMITER:
            return position, position + 8
        if tag != ITEM:
            raise UnparsableError
        position += 8
        if length == UNDEFINED_LENGTH:
            position = _item_end(data, position, nested_implicit)
        else:
            position += length
            if position > len(data):
                raise TruncatedError


def _item_end(data: bytes, position: int, implicit: bool) -> int:
    """Return the offset after the item delimiter of an undefined-length item."""
    while True:
        if len(data) - position < 8:
            raise TruncatedError
        group, element, _ = _TAG_AND_LONG_LENGTH.unpack_from(data, position)
        if group << 16 | element == ITEM_DELIMITER:
            return position + 8
        tag, vr, length, value_start = _read_header(data, position, implicit)
        if length == UNDEFINED_LENGTH:
            _, position = _undefined_length_end(data, value_start, implicit, vr)
        else:
            position = value_start + length
            if position > len(data):
                raise TruncatedError


def read_sequence_items(
    value: bytes, implicit: bool, only: frozenset[int] | None = None
) -> list[dict[BaseTag, RawDataElement]]:
    """Return the raw elements of each item in the raw value of a sequence.

    `value` contains the items only (no sequence delimiter), as `read_elements` stores it. With
    `only`, elements whose tags are not in it are skipped without being built.
    Raises TruncatedError or UnparsableError like `read_elements`.
    """
    items: list[dict[BaseTag, RawDataElement]] = []
    position = 0
    while position + 8 <= len(value):
        group, element, length = _TAG_AND_LONG_LENGTH.unpack_from(value, position)
        tag = group << 16 | element
        if tag == SEQUENCE_DELIMITER:
            break
        if tag != ITEM:
            raise UnparsableError
        position += 8
        if length == UNDEFINED_LENGTH:
            elements, position = _read_item_elements(value, position, implicit, only)
        else:
            if position + length > len(value):
                raise TruncatedError
            item = value[position : position + length]
            elements, _ = _read_item_elements(item, 0, implicit, only, defined_length=True)
            position += length
        items.append(elements)
    return items


def _read_item_elements(
    data: bytes,
    position: int,
    implicit: bool,
    only: frozenset[int] | None,
    *,
    defined_length: bool = False,
) -> tuple[dict[BaseTag, RawDataElement], int]:
    """Read an item's elements up to its delimiter, or to the end of `data` for a defined-length
    item; return them and where the item ends."""
    elements: dict[BaseTag, RawDataElement] = {}
    while True:
        if defined_length and position >= len(data):
            return elements, position
        if len(data) - position < 8:
            raise TruncatedError
        group, element_number, _ = _TAG_AND_LONG_LENGTH.unpack_from(data, position)
        tag = group << 16 | element_number
        if tag == ITEM_DELIMITER:
            return elements, position + 8
        if only is not None and tag not in only:
            position = _element_end(data, position, implicit)
            continue
        element, position = _read_element(data, position, implicit)
        elements[element.tag] = element


def _element_end(data: bytes, position: int, implicit: bool) -> int:
    """Return where the element that starts at `position` ends, without reading its value."""
    _, vr, length, value_start = _read_header(data, position, implicit)
    if length == UNDEFINED_LENGTH:
        return _undefined_length_end(data, value_start, implicit, vr)[1]
    value_end = value_start + length
    if value_end > len(data):
        raise TruncatedError
    return value_end


def element_vr(raw: RawDataElement) -> str:
    """Return the VR of a raw element: the encoded one, else the dictionary's, else UN."""
    vr = raw.VR
    if vr and vr != "UN":
        return vr
    try:
        return dictionary_VR(raw.tag)
    except KeyError:
        return vr or "UN"
