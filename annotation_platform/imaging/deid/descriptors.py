"""Token-wise cleaning of descriptors (Clean Descriptors option).

The platform guesses a series' sequence from SeriesDescription and ProtocolName, so these are
cleaned rather than removed. A descriptor is split into words at white space and each word into
sub-tokens at punctuation ("T1_AX-Testperson" gives T1, AX, Testperson). A sub-token is dropped
when it overlaps an identifying value of the same dataset, equals a short identifying token, or
looks like a date, a phone number or a long ID on its own; a whole word is dropped when it looks
like a date. What remains is joined with the punctuation that separated it.

Identifying values come from the attributes the profile removes or replaces (names, IDs,
accession numbers, dates, institution, addresses, phone numbers, device and station names) and
from private values that look like person names. Private text in general is not used, because
vendors keep the sequence vocabulary there (Philips stores "FFE", "3D" and "MPRAGE"), and
dropping those words would blind the sequence recognition.

NOTE: a name stored only in a private value without "^" and repeated in a descriptor survives
unless a date, phone or ID heuristic catches it.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

# Values of these VRs are split into name parts, words or dates to find identifying tokens.
NAME_VRS: Final = frozenset({"PN"})
DATE_VRS: Final = frozenset({"DA", "DT"})
NARRATIVE_VRS: Final = frozenset({"LT", "ST", "UT"})
MIN_SPAN_LENGTH: Final = 4
MIN_WORD_LENGTH: Final = 2

_NAME_SEPARATORS: Final = re.compile(r"[\^=\s,;]+")
_WORD_SEPARATORS: Final = re.compile(r"[\s,;]+")
_TRIM: Final = ".,;:()[]\"'"
_SUBTOKEN_SPLIT: Final = re.compile(r"([_\-./,;:()\[\]+#&=^|]+)")
_DATE_WORD: Final = re.compile(
    r"\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})|\d{4}[./-]\d{1,2}[./-]\d{1,2}|(?:19|20)\d{6}"
)
_PHONE: Final = re.compile(r"(?<![\w.])(?:\+|\(\d)[\d ()\-./]{5,}\d(?![\w.])")
_MIN_PHONE_DIGITS: Final = 7
_MIN_ID_DIGITS: Final = 5


@dataclass(frozen=True)
class IdentifierSet:
    """Identifying tokens of one dataset, lower-cased.

    `spans` are matched anywhere inside a word (long or non-ASCII tokens and whole ID values);
    `words` only where a sub-token equals them, because a two- or three-letter token such as a
    name part "Li" would otherwise hit ordinary words.
    """

    spans: frozenset[str]
    words: frozenset[str]
    pattern: re.Pattern[str] | None

    def occurs_in(self, text: str) -> bool:
        """True when any identifying token occurs in `text` as a span or a whole sub-token."""
        lowered = text.lower()
        if self.pattern is not None and self.pattern.search(lowered):
            return True
        return any(part in self.words for part in _SUBTOKEN_SPLIT.split(lowered))


def build_identifier_set(values: Iterable[tuple[str, str]]) -> IdentifierSet:
    """Collect identifying tokens from (text, VR) pairs of the attributes being removed."""
    spans: set[str] = set()
    words: set[str] = set()
    for text, vr in values:
        for token in _tokens_of(text, vr):
            _classify(token.strip(_TRIM).lower(), spans, words)
    pattern = None
    if spans:
        alternatives = sorted(spans, key=len, reverse=True)
        pattern = re.compile("|".join(re.escape(s) for s in alternatives))
    return IdentifierSet(frozenset(spans), frozenset(words), pattern)


def _tokens_of(text: str, vr: str) -> list[str]:
    text = text.strip()
    if not text:
        return []
    if vr in DATE_VRS:
        return [form for value in text.split("\\") for form in date_forms(value)]
    if vr in NAME_VRS:
        return _NAME_SEPARATORS.split(text)
    parts = _WORD_SEPARATORS.split(text)
    if vr in NARRATIVE_VRS:
        # Narrative text is mostly ordinary words; proper nouns and numbers are what identify.
        return [p for p in parts if any(c.isupper() or c.isdigit() or ord(c) > 127 for c in p)]
    return [*parts, *text.split("\\")]


def _classify(token: str, spans: set[str], words: set[str]) -> None:
    if not token:
        return
    if not token.isascii() or (len(token) >= MIN_SPAN_LENGTH and not _is_short_number(token)):
        spans.add(token)
    elif len(token) >= MIN_WORD_LENGTH:
        words.add(token)


def _is_short_number(token: str) -> bool:
    return token.isdigit() and len(token) < _MIN_ID_DIGITS


def date_forms(value: str) -> list[str]:
    """Return common written forms of a DA value or the date part of a DT value."""
    digits = value.strip()[:8]
    if len(digits) != 8 or not digits.isdigit():
        return []
    year, month, day = digits[:4], digits[4:6], digits[6:8]
    return [
        digits,
        f"{day}.{month}.{year}",
        f"{day}/{month}/{year}",
        f"{month}/{day}/{year}",
        f"{day}-{month}-{year}",
        f"{year}-{month}-{day}",
        f"{year}/{month}/{day}",
        f"{year}.{month}.{day}",
        f"{day}{month}{year}",
        f"{day}.{month}.{year[2:]}",
        f"{int(day)}.{int(month)}.{year}",
    ]


def clean_descriptor(text: str, identifiers: IdentifierSet) -> tuple[str, int]:
    """Return `text` without identifying sub-tokens, and how many sub-tokens were dropped."""
    dropped = 0
    text, phones = _PHONE.subn(lambda m: " " if _is_phone(m[0]) else m[0], text)
    kept_words: list[str] = []
    for word in text.split():
        if _DATE_WORD.fullmatch(word.strip(_TRIM)):
            dropped += 1
            continue
        cleaned, word_dropped = _clean_word(word, identifiers)
        dropped += word_dropped
        if cleaned:
            kept_words.append(cleaned)
    return " ".join(kept_words), dropped + phones


def _is_phone(candidate: str) -> bool:
    return sum(c.isdigit() for c in candidate) >= _MIN_PHONE_DIGITS


def _clean_word(word: str, identifiers: IdentifierSet) -> tuple[str, int]:
    lowered = word.lower()
    if len(lowered) != len(word):
        # Lower-casing changed the length (rare letters), so hit offsets would not line up.
        return ("", 1) if identifiers.occurs_in(word) else (word, 0)
    hits = _hit_ranges(lowered, identifiers)
    parts = _SUBTOKEN_SPLIT.split(word)
    kept: list[str] = []
    pending_separator = ""
    offset = 0
    dropped = 0
    for index, part in enumerate(parts):
        start, offset = offset, offset + len(part)
        if index % 2:
            pending_separator = pending_separator or part
            continue
        if not part:
            continue
        if _overlaps(start, offset, hits) or _is_identifying_subtoken(part, identifiers):
            dropped += 1
            continue
        kept.append(pending_separator + part if kept else part)
        pending_separator = ""
    return "".join(kept), dropped


def _hit_ranges(lowered: str, identifiers: IdentifierSet) -> list[tuple[int, int]]:
    if identifiers.pattern is None:
        return []
    return [match.span() for match in identifiers.pattern.finditer(lowered)]


def _overlaps(start: int, end: int, hits: list[tuple[int, int]]) -> bool:
    return any(hit_start < end and start < hit_end for hit_start, hit_end in hits)


def _is_identifying_subtoken(part: str, identifiers: IdentifierSet) -> bool:
    if part.lower() in identifiers.words:
        return True
    return _has_heuristic_hit(part)


def _has_heuristic_hit(text: str) -> bool:
    """Date-like, ID-like (five or more digits) or undecodable text, without any known value."""
    if "\ufffd" in text or any(ord(c) < 32 for c in text):
        return True
    if sum(c.isdigit() for c in text) >= _MIN_ID_DIGITS:
        return True
    return bool(_DATE_WORD.search(text))
