"""Cleaning and re-encoding the text values that de-identification keeps, once the walk is over.

Descriptors are cleaned token-wise (Clean Descriptors option). Other kept text is cleaned only
where an identifying value of the same data set occurs in it. Every value that is not plain
ASCII is re-encoded as UTF-8, the character set the written file declares.

Manufacturer (0008,0070) keeps its leading vendor word: dcm2niix identifies the vendor by the
first two letters of Manufacturer (dcmStrManufacturer in its nii_dicom.cpp), and its
vendor-specific reading of mosaics, scale factors and diffusion tables depends on that. A
vendor name cannot identify a patient, but it can equal an identifying token, for example an
institution named after the vendor ("UIH") or the Chinese surname Ge.
"""

from collections import Counter
from dataclasses import dataclass
from typing import Final

from pydicom import config
from pydicom.dataelem import DataElement, RawDataElement
from pydicom.dataset import Dataset
from pydicom.tag import BaseTag

from annotation_platform.imaging.deid.charset import CharacterSet, decode_text
from annotation_platform.imaging.deid.descriptors import IdentifierSet, clean_descriptor

MANUFACTURER: Final = BaseTag(0x00080070)
# First words of Manufacturer values whose first two letters dcm2niix maps to a vendor
# (SI, GE, HI, ME, PH, TO, CA, CP, UI, BR, HY).
VENDOR_WORDS: Final = frozenset(
    {
        "SIEMENS",
        "GE",
        "HITACHI",
        "MEDISO",
        "PHILIPS",
        "TOSHIBA",
        "TOSHIBA_MEC",
        "CANON",
        "CPS",
        "UIH",
        "BRUKER",
        "HYPERFINE",
    }
)


@dataclass
class PendingText:
    """A text element to decode once the walk is over: a descriptor or a kept value."""

    dataset: Dataset
    tag: BaseTag
    vr: str
    charset: CharacterSet
    is_descriptor: bool


def finish_text(
    pending_values: list[PendingText], identifiers: IdentifierSet, counts: Counter[str]
) -> None:
    """Clean descriptors and kept text against the identifying values, then re-encode as UTF-8."""
    for pending in pending_values:
        element = pending.dataset._dict.get(pending.tag)
        if element is None or not element.value:
            continue
        _finish_element(pending, element, identifiers, counts)


def text_of(element: DataElement | RawDataElement, vr: str, charset: CharacterSet) -> str:
    """Return the text of a raw or converted value, decoded under `charset` when raw."""
    value = element.value
    if isinstance(value, bytes):
        return decode_text(value, charset, person_name=vr == "PN").text
    return ascii_value(element)


def ascii_value(element: DataElement | RawDataElement) -> str:
    """Return a raw or converted value as text; bytes outside ASCII map one to one (Latin-1)."""
    value = element.value
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.decode("latin-1")
    if isinstance(value, str):
        return value
    return "\\".join(str(v) for v in value)


def _finish_element(
    pending: PendingText,
    element: DataElement | RawDataElement,
    identifiers: IdentifierSet,
    counts: Counter[str],
) -> None:
    raw = element.value if isinstance(element.value, bytes) else None
    text = text_of(element, pending.vr, pending.charset)
    if pending.is_descriptor or identifiers.occurs_in(text):
        if pending.tag == MANUFACTURER:
            cleaned, dropped = _clean_manufacturer(text, identifiers)
        else:
            cleaned, dropped = _clean_values(text, identifiers)
        if cleaned != text:
            key = "descriptors_cleaned" if pending.is_descriptor else "kept_values_cleaned"
            counts[key] += 1
            counts["tokens_dropped"] += dropped
        text = cleaned
    elif raw is not None and raw.isascii() and b"\x1b" not in raw:
        return
    if raw is not None and not (raw.isascii() and b"\x1b" not in raw):
        counts["values_transcoded"] += 1
    pending.dataset._dict[pending.tag] = DataElement(
        pending.tag, pending.vr, text or None, validation_mode=config.IGNORE
    )


def _clean_values(text: str, identifiers: IdentifierSet) -> tuple[str, int]:
    """Clean each value of a multi-valued text on its own."""
    cleaned: list[str] = []
    dropped = 0
    for value in text.split("\\"):
        value_cleaned, value_dropped = clean_descriptor(value, identifiers)
        cleaned.append(value_cleaned)
        dropped += value_dropped
    return "\\".join(cleaned), dropped


def _clean_manufacturer(text: str, identifiers: IdentifierSet) -> tuple[str, int]:
    """Clean a Manufacturer value but keep its leading vendor word (module docstring)."""
    vendor, _, rest = text.strip().partition(" ")
    if vendor.upper() not in VENDOR_WORDS:
        return _clean_values(text, identifiers)
    cleaned_rest, dropped = _clean_values(rest, identifiers)
    return (f"{vendor} {cleaned_rest}" if cleaned_rest else vendor), dropped
