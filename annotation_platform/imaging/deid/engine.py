"""De-identification of one data set in place (PS3.15 Annex E, options in `profile.py`).

The engine works on pydicom's element dictionary and converts only what it changes: a private
element is deleted by its key without being parsed, a kept element stays raw bytes. Values are
removed, emptied or replaced at element level, so a value that cannot be decoded is dropped
without being decoded. Text that has to be read (descriptors to clean, kept text to search for
identifying values) is decoded with `charset.decode_text`, which never raises.

What the written file holds afterwards:
- every table attribute handled by its resolved action, recursively inside sequences;
- no private element except those the Retain Safe Private option keeps (`private_attributes`),
  with their private creators; no group length, no retired or unknown public attribute;
- PatientName and PatientID set to the pseudonym, dates shifted, UIDs replaced;
- (0008,0005) Specific Character Set ISO_IR 192, every kept text value re-encoded as UTF-8
  (a value ASCII already is stays byte for byte);
- Patient Identity Removed YES, the method as text and as DCM codes, and Longitudinal Temporal
  Information Modified MODIFIED.
"""

import logging
from collections import Counter
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Final

from pydicom import config
from pydicom.datadict import get_entry
from pydicom.dataelem import DataElement, RawDataElement
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence
from pydicom.tag import BaseTag

from annotation_platform.imaging.deid import dates, private_attributes, profile, rawread
from annotation_platform.imaging.deid.charset import UTF8_TERM, CharacterSet, character_set_of
from annotation_platform.imaging.deid.context import DeidContext, DeidReport
from annotation_platform.imaging.deid.descriptors import (
    DATE_VRS,
    IdentifierSet,
    build_identifier_set,
)
from annotation_platform.imaging.deid.file_meta import deidentify_file_meta, set_method_attributes
from annotation_platform.imaging.deid.private_attributes import SafePrivateState
from annotation_platform.imaging.deid.rawread import element_vr
from annotation_platform.imaging.deid.text_values import (
    PendingText,
    ascii_value,
    finish_text,
    text_of,
)
from annotation_platform.imaging.deid.uids import uid_replacer

logger = logging.getLogger(__name__)

SPECIFIC_CHARACTER_SET: Final = BaseTag(0x00080005)
PATIENT_NAME: Final = BaseTag(0x00100010)
PATIENT_ID: Final = BaseTag(0x00100020)
# VRs whose values the Specific Character Set governs (PS3.5 6.1.2.3).
CHARSET_VRS: Final = frozenset({"SH", "LO", "ST", "LT", "UT", "UC", "PN"})
NARRATIVE_VRS: Final = frozenset({"LT", "ST", "UT"})
# Values removed from these VRs feed the identifying tokens used to clean descriptors.
IDENTIFYING_VRS: Final = frozenset({"PN", "LO", "SH", "AE", "UC", "LT", "ST", "UT", "DA", "DT"})
CLEANABLE_VRS: Final = frozenset({"SH", "LO", "PN", "UC", "CS", "AE"})
DUMMY_TEXT: Final = "ANONYMIZED"
DUMMY_BY_VR: Final = {
    "AE": DUMMY_TEXT,
    "AS": "000D",
    "CS": DUMMY_TEXT,
    "DS": "0",
    "IS": "0",
    "LO": DUMMY_TEXT,
    "LT": DUMMY_TEXT,
    "PN": DUMMY_TEXT,
    "SH": DUMMY_TEXT,
    "ST": DUMMY_TEXT,
    "UC": DUMMY_TEXT,
    "UT": DUMMY_TEXT,
}


@dataclass
class _Run:
    """State of one de-identification call."""

    context: DeidContext
    resolved: profile.ResolvedProfile
    replace_uid: Callable[[str], str]
    private: SafePrivateState
    counts: Counter[str] = field(default_factory=Counter)
    actions: Counter[str] = field(default_factory=Counter)
    identifying: list[tuple[DataElement | RawDataElement, str, CharacterSet]] = field(
        default_factory=list
    )
    pending: list[PendingText] = field(default_factory=list)


def deidentify(dataset: Dataset, context: DeidContext) -> DeidReport:
    """De-identify `dataset` in place and return what was done (counts and codes, no values).

    Expects a data set from `read_dicom` (raw values) but works on converted ones too.
    """
    counts: Counter[str] = Counter()
    run = _Run(
        context=context,
        resolved=profile.resolve_profile(context.options),
        replace_uid=_cached_replacer(context.uid_secret),
        private=SafePrivateState(context.options.safe_private, counts),
        counts=counts,
    )
    _process_dataset(dataset, run, character_set_of(_charset_value(dataset)))
    _finish_values(run)
    _set_patient_and_charset(dataset, context)
    set_method_attributes(dataset, context.options)
    deidentify_file_meta(dataset, run.replace_uid)
    return DeidReport(
        profile_edition=run.resolved.edition,
        method_codes=tuple(code for code, _ in context.options.method_codes()),
        action_counts=dict(run.actions),
        **run.counts,
    )


@lru_cache(maxsize=16)
def _cached_replacer(secret: bytes) -> Callable[[str], str]:
    return uid_replacer(secret)


def _charset_value(dataset: Dataset) -> bytes | str | list[str] | None:
    element = dataset._dict.get(SPECIFIC_CHARACTER_SET)
    return None if element is None else element.value


def _process_dataset(dataset: Dataset, run: _Run, charset: CharacterSet) -> None:
    elements = dataset._dict
    if SPECIFIC_CHARACTER_SET in elements:
        charset = character_set_of(_charset_value(dataset))
    action_for = run.resolved.action_for
    private_tags: list[BaseTag] = []
    for tag in list(elements):
        if tag >> 16 & 1:
            private_tags.append(tag)
            continue
        action = action_for(tag)
        if action is None:
            _process_unlisted(dataset, tag, run, charset)
        else:
            run.actions[action] += 1
            _apply_action(dataset, tag, action, run, charset)
    if private_tags:
        _process_private(dataset, private_tags, run, charset)


def _process_private(
    dataset: Dataset, tags: list[BaseTag], run: _Run, charset: CharacterSet
) -> None:
    """Keep the allow-listed private elements (checked), remove the rest (`private_attributes`)."""
    kept, removed = private_attributes.split_private(dataset._dict, tags, run.private.allow_list)
    for tag in removed:
        _remove_private(dataset._dict, tag, run, charset)
    for tag, entry in kept:
        for item in private_attributes.keep(dataset, tag, entry, run.private, charset):
            _process_dataset(item, run, charset)
    run.private.datasets.append(dataset)


def _remove_private(
    elements: MutableMapping[BaseTag, DataElement | RawDataElement],
    tag: BaseTag,
    run: _Run,
    charset: CharacterSet,
) -> None:
    """Delete a private element; a value that looks like a person name feeds the identifiers."""
    element = elements.pop(tag)
    run.counts["private_removed"] += 1
    value = element.value
    if isinstance(value, bytes) and b"^" in value and len(value) < 256 and value.isascii():
        run.identifying.append((element, "PN", charset))
    elif element.VR == "PN":
        run.identifying.append((element, "PN", charset))


def _process_unlisted(dataset: Dataset, tag: BaseTag, run: _Run, charset: CharacterSet) -> None:
    """Apply the rule for attributes without a table row (see `profile` module docstring)."""
    if tag == SPECIFIC_CHARACTER_SET:
        return
    element = dataset._dict[tag]
    vr = element_vr(element) if isinstance(element, RawDataElement) else element.VR
    if not _is_vouched_public(tag):
        del dataset._dict[tag]
        run.counts["unlisted_removed"] += 1
        if vr in IDENTIFYING_VRS:
            run.identifying.append((element, vr, charset))
        return
    if vr == "SQ":
        _process_sequence(dataset, tag, run, charset)
    elif vr in CHARSET_VRS:
        run.pending.append(PendingText(dataset, tag, vr, charset, is_descriptor=False))


@lru_cache(maxsize=4096)
def _is_vouched_public(tag: BaseTag) -> bool:
    """True for a public, non-retired dictionary attribute that is not a group length."""
    if tag & 0xFFFF == 0 or tag >> 16 == 0x0002:
        return False
    try:
        entry = get_entry(tag)
    except KeyError:
        return False
    return entry[3] != "Retired"


def _apply_action(
    dataset: Dataset, tag: BaseTag, action: str, run: _Run, charset: CharacterSet
) -> None:
    element = dataset._dict[tag]
    vr = element_vr(element) if isinstance(element, RawDataElement) else element.VR
    if vr == "SQ":
        _apply_to_sequence(dataset, tag, action, run, charset)
        return
    if action == profile.REMOVE:
        del dataset._dict[tag]
    if not element.value:
        # An empty value already satisfies Z, and there is nothing to replace or clean.
        return
    if vr in IDENTIFYING_VRS and (
        action in (profile.REMOVE, profile.EMPTY, profile.DUMMY)
        or (action == profile.CLEAN and vr in DATE_VRS)
    ):
        # A cleaned date is shifted, so its original value identifies like a removed one.
        run.identifying.append((element, vr, charset))
    if action == profile.KEEP:
        if vr in CHARSET_VRS:
            run.pending.append(PendingText(dataset, tag, vr, charset, is_descriptor=False))
    elif action == profile.REMOVE:
        return
    elif action == profile.EMPTY:
        dataset._dict[tag] = _element(tag, vr, None)
    elif action == profile.DUMMY:
        _replace_with_dummy(dataset, tag, vr, run)
    elif action == profile.REPLACE_UID:
        _replace_uids(dataset, tag, vr, run)
    else:
        _clean(dataset, tag, vr, run, charset)


def _apply_to_sequence(
    dataset: Dataset, tag: BaseTag, action: str, run: _Run, charset: CharacterSet
) -> None:
    """Remove the sequence (X), empty it (Z, D) or process its items (U, K, C).

    NOTE: D empties a sequence because a dummy item cannot be made up. An IOD in which such a
    sequence is Type 1 (none of the MR IODs) would then fail validation.
    """
    if action == profile.REMOVE:
        del dataset._dict[tag]
    elif action in (profile.EMPTY, profile.DUMMY):
        dataset._dict[tag] = _element(tag, "SQ", Sequence())
    else:
        _process_sequence(dataset, tag, run, charset)


def _process_sequence(dataset: Dataset, tag: BaseTag, run: _Run, charset: CharacterSet) -> None:
    for item in _sequence_items(dataset, tag):
        _process_dataset(item, run, charset)


def _sequence_items(dataset: Dataset, tag: BaseTag) -> Sequence:
    """Return the items of a sequence, parsing a raw one with `rawread` (faster than pydicom)."""
    element = dataset._dict[tag]
    if not isinstance(element, RawDataElement):
        return element.value or Sequence()
    try:
        parsed = rawread.read_sequence_items(element.value or b"", element.is_implicit_VR)
    except (rawread.TruncatedError, rawread.UnparsableError):
        return dataset[tag].value or Sequence()
    items = Sequence()
    for elements in parsed:
        item = Dataset()
        item._dict.update(elements)
        items.append(item)
    dataset._dict[tag] = _element(tag, "SQ", items)
    return items


def _element(tag: BaseTag, vr: str, value: object) -> DataElement:
    """Build an element without pydicom's value validation (our values are valid by design)."""
    return DataElement(tag, vr, value, validation_mode=config.IGNORE)


def _replace_with_dummy(dataset: Dataset, tag: BaseTag, vr: str, run: _Run) -> None:
    """Replace a value with a dummy of its VR; dates move by the shift instead (see docstring)."""
    if vr in ("DA", "DT"):
        _shift_date(dataset, tag, vr, run)
    elif vr == "TM":
        return
    elif vr == "UI":
        _replace_uids(dataset, tag, vr, run)
    elif vr in DUMMY_BY_VR:
        dataset._dict[tag] = _element(tag, vr, DUMMY_BY_VR[vr])
    else:
        # Binary values (OB, UN, UR, numbers) have no meaningful dummy: they become empty.
        dataset._dict[tag] = _element(tag, vr, None)


def _clean(dataset: Dataset, tag: BaseTag, vr: str, run: _Run, charset: CharacterSet) -> None:
    """C: shift dates, keep times, empty narrative text, clean descriptors, drop the rest."""
    if vr in ("DA", "DT"):
        _shift_date(dataset, tag, vr, run)
    elif vr == "TM":
        return
    elif vr in NARRATIVE_VRS:
        if run.resolved.basic_by_tag.get(tag) == profile.REMOVE:
            del dataset._dict[tag]
        else:
            dataset._dict[tag] = _element(tag, vr, None)
    elif vr in CLEANABLE_VRS:
        run.pending.append(PendingText(dataset, tag, vr, charset, is_descriptor=True))
    else:
        # Binary timestamps and other non-text values cannot be cleaned: remove them.
        del dataset._dict[tag]


def _shift_date(dataset: Dataset, tag: BaseTag, vr: str, run: _Run) -> None:
    text = ascii_value(dataset._dict[tag])
    if not text.strip(" \0"):
        return
    shift = dates.shift_da_value if vr == "DA" else dates.shift_dt_value
    try:
        shifted = shift(text, run.context.date_shift_days)
    except dates.MalformedDateError:
        dataset._dict[tag] = _element(tag, vr, None)
        run.counts["dates_cleared"] += 1
        return
    dataset._dict[tag] = _element(tag, vr, shifted)
    run.counts["dates_shifted"] += 1


def _replace_uids(dataset: Dataset, tag: BaseTag, vr: str, run: _Run) -> None:
    text = ascii_value(dataset._dict[tag])
    if not text.strip(" \0"):
        return
    originals = text.split("\\")
    replaced = [run.replace_uid(uid) for uid in originals]
    run.counts["uids_replaced"] += sum(
        a.strip("\0 ") != b for a, b in zip(originals, replaced, strict=True)
    )
    dataset._dict[tag] = _element(tag, "UI", replaced if len(replaced) > 1 else replaced[0])


def _finish_values(run: _Run) -> None:
    """Check kept private values and clean kept text, against the identifying values found."""
    if run.pending or run.private.pending:
        identifiers = _collect_identifiers(run)
    else:
        identifiers = build_identifier_set([])
    finish_text(run.pending, identifiers, run.counts)
    private_attributes.finish(run.private, identifiers)


def _collect_identifiers(run: _Run) -> IdentifierSet:
    # A file repeats its dates in many attributes, and each date gives eleven written forms.
    values: dict[tuple[str, str], None] = {}
    for element, vr, charset in run.identifying:
        values[(text_of(element, vr, charset), vr)] = None
    return build_identifier_set(values)


def _set_patient_and_charset(dataset: Dataset, context: DeidContext) -> None:
    """Write the pseudonym and declare UTF-8, which every text value now is or is encoded as."""
    dataset._dict[PATIENT_NAME] = _element(PATIENT_NAME, "PN", context.patient_pseudonym)
    dataset._dict[PATIENT_ID] = _element(PATIENT_ID, "LO", context.patient_pseudonym)
    dataset._dict[SPECIFIC_CHARACTER_SET] = _element(SPECIFIC_CHARACTER_SET, "CS", UTF8_TERM)
    for item in _nested_items(dataset):
        item._dict.pop(SPECIFIC_CHARACTER_SET, None)


def _nested_items(dataset: Dataset) -> list[Dataset]:
    """Return the items of every converted sequence, at any depth (raw ones were all removed)."""
    items: list[Dataset] = []
    for element in dataset._dict.values():
        if isinstance(element, DataElement) and element.VR == "SQ":
            for item in element.value:
                items.append(item)
                items.extend(_nested_items(item))
    return items
