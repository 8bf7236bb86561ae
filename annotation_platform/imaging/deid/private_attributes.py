"""Private attributes in the de-identification walk, under the Retain Safe Private option.

A private data element is kept only when the allow-list (`safe_private`) names its group,
private creator and block offset, and its encoded VR is the listed one (or unknown: implicit VR
or UN). Every other private element is removed. A kept element is then checked by kind:

- numbers are checked at once (`private_values.number_value_is_valid`);
- a sequence keeps in its items only the public attributes its entry lists, and those go
  through the profile like the items of any public sequence;
- text and binary values wait until the identifying tokens of the whole data set are known,
  because a name may come later in the file than the value that repeats it (`finish`).

Private creators are decided last: a creator stays only while its block holds a kept element,
so a reader can still tell whose attribute each kept element is.
"""

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from pydicom import config
from pydicom.dataelem import DataElement, RawDataElement
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence
from pydicom.tag import BaseTag

from annotation_platform.imaging.deid import rawread
from annotation_platform.imaging.deid.charset import CharacterSet, decode_text
from annotation_platform.imaging.deid.descriptors import IdentifierSet
from annotation_platform.imaging.deid.private_values import (
    bytes_hold_identifier,
    identifying_token_pattern,
    number_value_is_valid,
)
from annotation_platform.imaging.deid.safe_private import (
    BINARY_NUMBER_VRS,
    SEQUENCE_VR,
    TEXT_NUMBER_VRS,
    TEXT_VRS,
    SafePrivateAllowList,
    SafePrivateAttribute,
)

Element = DataElement | RawDataElement

FIRST_DATA_ELEMENT: Final = 0x1000
NUMBER_VRS: Final = BINARY_NUMBER_VRS | TEXT_NUMBER_VRS


@dataclass(frozen=True)
class _PendingValue:
    dataset: Dataset
    tag: BaseTag
    vr: str
    charset: CharacterSet


@dataclass
class SafePrivateState:
    """The private attributes of one de-identification call that are decided after the walk.

    `counts` is the report's counter: safe_private_kept and safe_private_dropped count
    allow-listed elements kept and dropped, private_removed the private creators removed.
    """

    allow_list: SafePrivateAllowList
    counts: Counter[str]
    pending: list[_PendingValue] = field(default_factory=list)
    datasets: list[Dataset] = field(default_factory=list)


def split_private(
    elements: Mapping[BaseTag, Element], tags: list[BaseTag], allow_list: SafePrivateAllowList
) -> tuple[list[tuple[BaseTag, SafePrivateAttribute]], list[BaseTag]]:
    """Return the allow-listed data elements among `tags` with their entries, and the rest.

    Private creators are in neither list: `finish` decides them.
    """
    kept: list[tuple[BaseTag, SafePrivateAttribute]] = []
    removed: list[BaseTag] = []
    for tag in tags:
        if is_private_creator(tag):
            continue
        entry = _entry_for(elements, tag, allow_list)
        if entry is None:
            removed.append(tag)
        else:
            kept.append((tag, entry))
    return kept, removed


def is_private_creator(tag: int) -> bool:
    """True for (gggg,0010) to (gggg,00FF) of an odd group."""
    return bool(tag >> 16 & 1) and 0x10 <= tag & 0xFFFF <= 0xFF


def _entry_for(
    elements: Mapping[BaseTag, Element], tag: BaseTag, allow_list: SafePrivateAllowList
) -> SafePrivateAttribute | None:
    number = tag & 0xFFFF
    if number < FIRST_DATA_ELEMENT:
        return None
    creator = elements.get(BaseTag(tag & 0xFFFF0000 | number >> 8))
    if creator is None or not creator.value:
        return None
    entry = allow_list.find(tag >> 16, _creator_text(creator), number & 0xFF)
    if entry is None or elements[tag].VR not in (None, "UN", entry.vr):
        return None
    return entry


def _creator_text(creator: Element) -> str:
    value = creator.value
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return str(value)


def keep(
    dataset: Dataset,
    tag: BaseTag,
    entry: SafePrivateAttribute,
    state: SafePrivateState,
    charset: CharacterSet,
) -> Sequence:
    """Check or queue one allow-listed element; return the items the walk must process next.

    The items are those of a kept sequence, and empty for any other VR.
    """
    if entry.vr == SEQUENCE_VR:
        items = _sequence_items(dataset, tag, entry.item_tags)
        _record(dataset, tag, items is not None, state)
        return items or Sequence()
    if entry.vr in NUMBER_VRS:
        _record(dataset, tag, _number_is_valid(dataset._dict[tag], entry.vr), state)
        return Sequence()
    state.pending.append(_PendingValue(dataset, tag, entry.vr, charset))
    return Sequence()


def _record(dataset: Dataset, tag: BaseTag, is_safe: bool, state: SafePrivateState) -> None:
    if is_safe:
        state.counts["safe_private_kept"] += 1
    else:
        del dataset._dict[tag]
        state.counts["safe_private_dropped"] += 1


def _number_is_valid(element: Element, vr: str) -> bool:
    value = element.value
    if isinstance(value, bytes):
        return number_value_is_valid(value, vr)
    if isinstance(value, str):
        return number_value_is_valid(value.encode("ascii", "replace"), vr)
    values = value if isinstance(value, list | tuple) else [value]
    return all(isinstance(v, int | float) for v in values)


def _sequence_items(dataset: Dataset, tag: BaseTag, item_tags: frozenset[int]) -> Sequence | None:
    """Return the items of a kept private sequence with only `item_tags` left in them, parsed in
    place; None when they cannot be read.

    A sequence encoded as UN contains implicit VR little endian items (PS3.5 6.2.2).
    """
    element = dataset._dict[tag]
    if isinstance(element, RawDataElement) and element.is_little_endian:
        items = _parsed_items(element, item_tags)
    else:
        items = _converted_items(dataset, tag)
        for item in items or ():
            for item_tag in [t for t in item._dict if t not in item_tags]:
                del item._dict[item_tag]
    if items is not None:
        dataset._dict[tag] = DataElement(tag, SEQUENCE_VR, items, validation_mode=config.IGNORE)
    return items


def _parsed_items(element: RawDataElement, item_tags: frozenset[int]) -> Sequence | None:
    implicit = element.is_implicit_VR or element.VR in (None, "UN")
    try:
        parsed = rawread.read_sequence_items(element.value or b"", implicit, item_tags)
    except (rawread.TruncatedError, rawread.UnparsableError):
        return None
    items = Sequence()
    for elements in parsed:
        item = Dataset()
        item._dict.update(elements)
        items.append(item)
    return items


def _converted_items(dataset: Dataset, tag: BaseTag) -> Sequence | None:
    """Let pydicom convert a sequence that `rawread` does not parse (big endian, or converted)."""
    try:
        value = dataset[tag].value
    except (ValueError, KeyError, TypeError, NotImplementedError):
        return None
    return value if isinstance(value, Sequence) else None


def finish(state: SafePrivateState, identifiers: IdentifierSet) -> None:
    """Drop queued values that hold an identifying token, then creators of emptied blocks."""
    patterns: dict[tuple[tuple[str, ...], bool], re.Pattern[bytes] | None] = {}
    for pending in state.pending:
        element = pending.dataset._dict.get(pending.tag)
        if element is None:
            continue
        key = (pending.charset.codecs, pending.vr in TEXT_VRS)
        if key not in patterns:
            patterns[key] = identifying_token_pattern(identifiers, key[0], short_tokens=key[1])
        is_safe = not bytes_hold_identifier(_value_bytes(element), patterns[key])
        _record(pending.dataset, pending.tag, is_safe, state)
        if is_safe and pending.vr in TEXT_VRS:
            _reencode_text(pending, element, state.counts)
    for dataset in state.datasets:
        state.counts["private_removed"] += remove_unused_creators(dataset)


def _value_bytes(element: Element) -> bytes:
    value = element.value
    if value is None:
        return b""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    return "\\".join(str(v) for v in value).encode("utf-8")


def _reencode_text(pending: _PendingValue, element: Element, counts: Counter[str]) -> None:
    """Decode a kept non-ASCII text value, so that it is written as UTF-8 like the rest."""
    value = element.value
    if not isinstance(value, bytes) or (value.isascii() and b"\x1b" not in value):
        return
    text = decode_text(value, pending.charset, person_name=False).text
    pending.dataset._dict[pending.tag] = DataElement(
        pending.tag, pending.vr, text, validation_mode=config.IGNORE
    )
    counts["values_transcoded"] += 1


def remove_unused_creators(dataset: Dataset) -> int:
    """Remove the private creators whose blocks hold no element any more; return how many."""
    elements = dataset._dict
    private_tags = [tag for tag in elements if tag >> 16 & 1]
    used_blocks = {tag >> 8 for tag in private_tags if tag & 0xFFFF >= FIRST_DATA_ELEMENT}
    unused = [
        tag
        for tag in private_tags
        if 0x10 <= tag & 0xFFFF <= 0xFF and (tag >> 16) << 8 | (tag & 0xFF) not in used_blocks
    ]
    for tag in unused:
        del elements[tag]
    return len(unused)
