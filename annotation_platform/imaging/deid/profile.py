"""The attribute table of PS3.15 Annex E and the action each attribute gets under our options.

The table is a committed copy of Table E.1-1 of the 2024b edition (`table_e1_1_2024b.json`,
one row per attribute: tag, name, Basic Profile action and the action of each option column
that changes it). The profile always applies the Basic Application Level Confidentiality Profile
with the Retain Longitudinal Temporal Information with Modified Dates option, the Clean
Descriptors option and the Retain Safe Private option; a project may add the Retain Patient
Characteristics option.

Resolving a row to one action:

1. When an applied option column has an entry for the row, that entry wins over the Basic
   Profile action. Two applied columns that disagree resolve to C, the stricter of K and C.
2. A combined Basic Profile action resolves to one that is valid whatever Type the attribute has
   in the IOD at hand, because the table does not say which IOD a file belongs to:
   - X/Z/U* (reference sequences) becomes U: the sequence stays and its items are processed
     attribute by attribute, so every UID inside is replaced and references still resolve.
   - any form offering D (X/D, X/Z/D, Z/D) becomes D: a dummy is valid for Type 1, 2 and 3.
   - X/Z becomes Z: an empty value is valid for Type 2 and 3, and no attribute with an X/Z
     action is Type 1.
   The engine (`engine.py`) then decides per VR what Z, D and C do (a dummy sequence is an
   empty sequence, and a dummy date is the shifted date).

The Retain Safe Private option is applied because dcm2niix needs some vendor private
attributes to convert de-identified files correctly. Under it the table's odd-group row
resolves to C: `engine.py` keeps the private attributes of the allow-list in `safe_private.py`
whose values pass the checks in `private_values.py`, keeps the private creators of the blocks
they live in, and removes every other private attribute.

Attributes that are not in the table (the rule `engine.py` applies):

- group length attributes (gggg,0000) are removed, because their values go stale;
- public attributes that pydicom's data dictionary lists and does not mark retired are kept:
  the table lists every standard attribute that may identify a patient, and the rest carry the
  geometry and acquisition parameters that conversion needs. Kept text values are still searched
  for the identifying values of the same dataset and cleaned where one occurs, except the
  leading vendor word of Manufacturer (see `engine.py`);
- retired attributes and public attributes unknown to the dictionary are removed, whatever their
  VR, because nothing vouches for what they hold.
"""

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Final

from annotation_platform.imaging.deid.safe_private import VENDOR_SAFE_PRIVATE, SafePrivateAllowList

PROFILE_EDITION: Final = "2024b"
TABLE_FILE: Final = "table_e1_1_2024b.json"

REMOVE: Final = "X"
EMPTY: Final = "Z"
DUMMY: Final = "D"
REPLACE_UID: Final = "U"
KEEP: Final = "K"
CLEAN: Final = "C"

# Option column keys of the committed table.
RETAIN_MODIFIED_DATES: Final = "retain_longitudinal_modified_dates"
CLEAN_DESCRIPTORS: Final = "clean_descriptors"
RETAIN_PATIENT_CHARACTERISTICS: Final = "retain_patient_characteristics"
RETAIN_SAFE_PRIVATE: Final = "retain_safe_private"

# Codes of CID 7050 (De-identification Method), coding scheme DCM.
BASIC_PROFILE_CODE: Final = ("113100", "Basic Application Confidentiality Profile")
OPTION_CODES: Final = MappingProxyType(
    {
        CLEAN_DESCRIPTORS: ("113105", "Clean Descriptors Option"),
        RETAIN_MODIFIED_DATES: (
            "113107",
            "Retain Longitudinal Temporal Information Modified Dates Option",
        ),
        RETAIN_PATIENT_CHARACTERISTICS: ("113108", "Retain Patient Characteristics Option"),
        RETAIN_SAFE_PRIVATE: ("113111", "Retain Safe Private Option"),
    }
)

# Tags of the pattern rows, written as the standard prints them.
CURVE_DATA_PATTERN: Final = "(50XX,XXXX)"
OVERLAY_DATA_PATTERN: Final = "(60XX,3000)"
OVERLAY_COMMENTS_PATTERN: Final = "(60XX,4000)"
PRIVATE_PATTERN: Final = "(GGGG,EEEE) where GGGG is odd"


@dataclass(frozen=True)
class DeidOptions:
    """The optional parts of the profile a project chose.

    `safe_private` is the allow-list of the Retain Safe Private Option, which is always applied;
    the platform uses the vendor list, and tests pass their own.
    """

    retain_patient_characteristics: bool = False
    safe_private: SafePrivateAllowList = VENDOR_SAFE_PRIVATE

    def option_columns(self) -> tuple[str, ...]:
        """Return the table's option columns applied, in the order their codes are recorded."""
        columns = [RETAIN_MODIFIED_DATES, CLEAN_DESCRIPTORS, RETAIN_SAFE_PRIVATE]
        if self.retain_patient_characteristics:
            columns.append(RETAIN_PATIENT_CHARACTERISTICS)
        return tuple(columns)

    def method_codes(self) -> tuple[tuple[str, str], ...]:
        """Return (code value, code meaning) of the basic profile and of every option applied."""
        return (BASIC_PROFILE_CODE, *(OPTION_CODES[c] for c in self.option_columns()))


@dataclass(frozen=True)
class TableRow:
    """One row of Table E.1-1: tag as printed, attribute name, Basic Profile and option actions."""

    tag: str
    name: str
    basic: str
    options: MappingProxyType[str, str]


@dataclass(frozen=True)
class ResolvedProfile:
    """The single action of every table attribute under one set of options.

    `by_tag` maps the tag number of each fixed-tag row to its action; `basic_by_tag` keeps the
    Basic Profile action, which decides between removing and emptying a cleaned narrative value.
    `curve_data`, `overlay_data` and `overlay_comments` are the actions of the repeating-group
    rows, and `private` the action of the odd-group row.
    """

    edition: str
    by_tag: MappingProxyType[int, str]
    basic_by_tag: MappingProxyType[int, str]
    curve_data: str
    overlay_data: str
    overlay_comments: str
    private: str

    def action_for(self, tag: int) -> str | None:
        """Return the action for a public tag, or None when the table has no row for it."""
        action = self.by_tag.get(tag)
        if action is not None:
            return action
        group = tag >> 16
        if 0x5000 <= group <= 0x50FF and not group & 1:
            return self.curve_data
        if 0x6000 <= group <= 0x60FF and not group & 1:
            element = tag & 0xFFFF
            if element == 0x3000:
                return self.overlay_data
            if element == 0x4000:
                return self.overlay_comments
        return None


@cache
def load_table() -> tuple[str, tuple[TableRow, ...]]:
    """Return the edition and the rows of the committed attribute table."""
    text = resources.files(__package__).joinpath(TABLE_FILE).read_text(encoding="utf-8")
    document = json.loads(text)
    rows = tuple(
        TableRow(
            tag=row["tag"],
            name=row["name"],
            basic=row["basic"],
            options=MappingProxyType(dict(row.get("options", {}))),
        )
        for row in document["rows"]
    )
    return document["edition"], rows


def resolve_row(row: TableRow, option_columns: tuple[str, ...]) -> str:
    """Return the single action of `row` when the options in `option_columns` are applied."""
    option_actions = {row.options[c] for c in option_columns if c in row.options}
    if option_actions:
        return CLEAN if CLEAN in option_actions else option_actions.pop()
    return collapse_combined_action(row.basic)


def collapse_combined_action(action: str) -> str:
    """Reduce a combined Basic Profile action such as X/Z/D to one action (module docstring)."""
    if "/" not in action:
        return action
    if "U" in action:
        return REPLACE_UID
    if DUMMY in action:
        return DUMMY
    return EMPTY


def parse_tag(printed: str) -> int:
    """Return the tag number of a fixed tag printed as (gggg,eeee)."""
    group, element = printed.strip("()").split(",")
    return int(group, 16) << 16 | int(element, 16)


@cache
def resolve_profile(options: DeidOptions) -> ResolvedProfile:
    """Resolve every table row under `options` (cached: one resolution per option set)."""
    edition, rows = load_table()
    columns = options.option_columns()
    by_tag: dict[int, str] = {}
    basic_by_tag: dict[int, str] = {}
    patterns: dict[str, str] = {}
    for row in rows:
        if "X" in row.tag or row.tag == PRIVATE_PATTERN:
            patterns[row.tag] = resolve_row(row, columns)
            continue
        tag = parse_tag(row.tag)
        by_tag[tag] = resolve_row(row, columns)
        basic_by_tag[tag] = collapse_combined_action(row.basic)
    return ResolvedProfile(
        edition=edition,
        by_tag=MappingProxyType(by_tag),
        basic_by_tag=MappingProxyType(basic_by_tag),
        curve_data=patterns[CURVE_DATA_PATTERN],
        overlay_data=patterns[OVERLAY_DATA_PATTERN],
        overlay_comments=patterns[OVERLAY_COMMENTS_PATTERN],
        private=patterns[PRIVATE_PATTERN],
    )
