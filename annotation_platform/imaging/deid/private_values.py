"""Checks that a kept private value contains no identifying value (Retain Safe Private Option).

A value is checked as the VR its allow-list entry names (`safe_private`):

- binary numbers (FL, FD, US ...) pass when their length fits the VR, because they cannot
  spell a name, an ID or a date;
- numbers written as text (DS, IS) pass when every value is a number;
- text and binary values (OB, UN, for example the Siemens CSA header) are searched byte for byte
  for the identifying tokens that de-identification collected from the same data set, and fail
  on any hit.

Searching bytes rather than decoded text also finds a token inside a binary header, and finds a
non-ASCII token in any of the encodings a scanner may have used for it. Binary values are
searched for the long tokens only (four or more characters, non-ASCII tokens, IDs and dates):
short tokens such as a two-letter name part also spell the VR codes ("US", "DS") and field
names that binary headers are made of, so every CSA header would fail.
NOTE: a name whose every part has two or three letters is therefore not found in a binary value.
"""

import re
from collections.abc import Iterable
from typing import Final

from annotation_platform.imaging.deid.descriptors import IdentifierSet
from annotation_platform.imaging.deid.safe_private import (
    BINARY_NUMBER_VRS,
    TEXT_NUMBER_VRS,
)

_NUMBER_SIZES: Final = {"FL": 4, "FD": 8, "SL": 4, "SS": 2, "UL": 4, "US": 2, "SV": 8, "UV": 8}
_TEXT_NUMBER: Final = re.compile(rb"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
# Encodings tried for a non-ASCII token besides those the data set declares: Chinese scanners
# write GB18030 or GBK whatever they declare, and UTF-8 is the most common declared set.
_EXTRA_ENCODINGS: Final = ("utf-8", "gb18030")
_ALPHANUMERIC_BOUNDARY_BEFORE: Final = rb"(?<![A-Za-z0-9])"
_ALPHANUMERIC_BOUNDARY_AFTER: Final = rb"(?![A-Za-z0-9])"


def number_value_is_valid(value: bytes, vr: str) -> bool:
    """True when `value` is a well-formed value of a binary or text number VR."""
    if vr in BINARY_NUMBER_VRS:
        return len(value) % _NUMBER_SIZES[vr] == 0
    if vr in TEXT_NUMBER_VRS:
        parts = value.split(b"\\")
        return all(not p.strip(b" \0") or _TEXT_NUMBER.fullmatch(p.strip(b" \0")) for p in parts)
    return False


def identifying_token_pattern(
    identifiers: IdentifierSet, codecs: Iterable[str], *, short_tokens: bool
) -> re.Pattern[bytes] | None:
    """Compile a bytes pattern that matches any identifying token, or None when there is none.

    ASCII tokens match in any letter case. Tokens of digits only (IDs) must not touch another
    digit, so an ID of 12345 does not match inside 0.1234567; a date (YYYYMMDD) may be followed
    by digits, because a date-time value starts with it. Non-ASCII tokens match in
    each encoding in `codecs` and in UTF-8 and GB18030, as found, in upper case and in title
    case. With `short_tokens`, the pattern also matches short tokens (a two-letter name part)
    that stand alone between non-alphanumeric bytes, as descriptors treat them.
    """
    alternatives: list[bytes] = []
    for token in identifiers.spans:
        alternatives += _span_alternatives(token, tuple(codecs))
    for word in identifiers.words if short_tokens else ():
        encoded = re.escape(word.encode("ascii"))
        alternatives.append(_ALPHANUMERIC_BOUNDARY_BEFORE + encoded + _ALPHANUMERIC_BOUNDARY_AFTER)
    if not alternatives:
        return None
    return re.compile(b"|".join(sorted(set(alternatives))), re.IGNORECASE)


def _span_alternatives(token: str, codecs: tuple[str, ...]) -> list[bytes]:
    if token.isascii():
        encoded = re.escape(token.encode("ascii"))
        if token.isdigit():
            after = b"" if _looks_like_date(token) else rb"(?![0-9])"
            return [rb"(?<![0-9])" + encoded + after]
        return [encoded]
    forms: set[bytes] = set()
    for text in {token, token.upper(), token.title()}:
        for codec in (*codecs, *_EXTRA_ENCODINGS):
            try:
                forms.add(text.encode(codec))
            except (LookupError, UnicodeError):
                continue
    return [re.escape(form) for form in forms if form]


def _looks_like_date(token: str) -> bool:
    if len(token) != 8 or token[:2] not in ("19", "20"):
        return False
    return 1 <= int(token[4:6]) <= 12 and 1 <= int(token[6:8]) <= 31


def bytes_hold_identifier(value: bytes, pattern: re.Pattern[bytes] | None) -> bool:
    """True when an identifying token occurs anywhere in `value`."""
    return pattern is not None and pattern.search(value) is not None
