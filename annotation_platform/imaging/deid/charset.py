"""Decoding text values from raw bytes under (0008,0005) Specific Character Set, robustly.

pydicom 3.0.2 handles most character sets, with two gaps this module closes: values decoded from
ISO 2022 IR 58 (GB2312) keep their ESC $ ) A designators, which are stripped here, and a
mislabelled or missing character set yields Latin-1 mojibake, which is flagged (and, for text that
is valid GB18030 made of CJK ideographs, decoded as GB18030). Nothing here raises on bad bytes.
"""

import codecs
import re
import warnings
from dataclasses import dataclass
from typing import Final

from pydicom.charset import decode_bytes, python_encoding
from pydicom.valuerep import PN_DELIMS, TEXT_VR_DELIMS

DEFAULT_CODEC: Final = "iso8859"
UTF8_TERM: Final = "ISO_IR 192"
# Python codecs for terms that pydicom 3.0.2 does not list, or lists under another spelling.
_EXTRA_TERMS: Final = {"GBK": "gbk", "ISO_IR 58": "gb2312", "ISO 2022 IR 58": "iso_ir_58"}
_ESCAPE_SEQUENCE: Final = re.compile("\x1b[\x20-\x2f]*[\x30-\x7e]?")
_HIGH_BYTE_RUN: Final = re.compile(rb"[\x80-\xff]+")
_LATIN1_CODECS: Final = frozenset({"iso8859", "latin_1", "iso-8859-1", "iso_ir_100"})
_TEXT_DELIMITERS: Final = TEXT_VR_DELIMS | {0x5C}


@dataclass(frozen=True)
class CharacterSet:
    """The Python codecs for one Specific Character Set value, and whether every term was known."""

    terms: tuple[str, ...]
    codecs: tuple[str, ...]
    all_known: bool

    @property
    def is_default(self) -> bool:
        """True when no character set is declared (the default repertoire, ASCII)."""
        return not any(self.terms)

    @property
    def label(self) -> str:
        """The declared terms as DICOM writes them, for display."""
        return "\\".join(self.terms)


@dataclass(frozen=True)
class DecodedText:
    """A decoded value; `reliable` is False when it may be mis-decoded."""

    text: str
    reliable: bool
    codec_label: str


def character_set_of(value: bytes | str | list[str] | None) -> CharacterSet:
    """Return the character set that a (0008,0005) value declares, raw or converted.

    None or an empty value means none is declared.
    """
    if not value:
        return CharacterSet(terms=(), codecs=(DEFAULT_CODEC,), all_known=True)
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    if isinstance(value, str):
        value = value.split("\\")
    return character_set_from_terms(tuple(str(t).strip(" \0") for t in value))


def character_set_from_terms(terms: tuple[str, ...]) -> CharacterSet:
    """Map DICOM defined terms to Python codecs; an unknown term maps to the default codec."""
    found: list[str] = []
    all_known = True
    for term in terms or ("",):
        codec = _codec_for_term(term)
        if codec is None:
            all_known = False
            codec = DEFAULT_CODEC
        found.append(codec)
    return CharacterSet(terms=terms, codecs=tuple(found), all_known=all_known)


def _codec_for_term(term: str) -> str | None:
    if not term or term in ("ISO_IR 6", "ISO 2022 IR 6"):
        return DEFAULT_CODEC
    codec = _EXTRA_TERMS.get(term) or python_encoding.get(term)
    if codec is None:
        return None
    try:
        codecs.lookup(codec)
    except LookupError:
        return None
    return codec


def decode_text(raw: bytes, charset: CharacterSet, *, person_name: bool = False) -> DecodedText:
    """Decode a raw text value; never raises.

    Pure ASCII decodes as itself. Otherwise the declared character set is tried (code extensions
    through pydicom, with escape designators stripped). When it fails, or when the declared set
    is Latin-1 or absent while the bytes read as GB2312-range ideographs, GB18030, UTF-8 and
    Latin-1 are tried in turn and the result is flagged as unreliable.
    """
    value = raw.rstrip(b" \0")
    if value.isascii() and b"\x1b" not in value:
        return DecodedText(value.decode("ascii"), True, charset.label)
    declared = _decode_declared(value, charset, person_name)
    latin1_or_none = len(charset.codecs) == 1 and (
        charset.is_default or charset.codecs[0] in _LATIN1_CODECS
    )
    if declared is not None and not (latin1_or_none and _looks_like_gb18030(value)):
        reliable = charset.all_known and not charset.is_default
        return DecodedText(declared, reliable, charset.label)
    return _decode_fallback(value)


def _decode_declared(value: bytes, charset: CharacterSet, person_name: bool) -> str | None:
    if b"\x1b" not in value and len(charset.codecs) == 1:
        try:
            return value.decode(charset.codecs[0])
        except UnicodeDecodeError:
            return None
    delimiters = PN_DELIMS if person_name else _TEXT_DELIMITERS
    groups = value.split(b"=") if person_name else [value]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            decoded = [decode_bytes(g, list(charset.codecs), delimiters) for g in groups]
        except (UnicodeError, LookupError):
            return None
    text = "=".join(_ESCAPE_SEQUENCE.sub("", part) for part in decoded)
    return None if "\ufffd" in text else text


def _looks_like_gb18030(value: bytes) -> bool:
    """True when every run of non-ASCII bytes is made of GB2312-range byte pairs.

    Chinese text in GB2312, GBK or GB18030 mostly encodes each ideograph as two bytes in
    0xA1-0xFE, while Latin-1 text has accented letters scattered between ASCII ones.
    """
    runs = _HIGH_BYTE_RUN.findall(value)
    return bool(runs) and all(len(run) % 2 == 0 and min(run) >= 0xA1 for run in runs)


def _decode_fallback(value: bytes) -> DecodedText:
    for codec, label in (("gb18030", "GB18030"), ("utf-8", UTF8_TERM)):
        if codec == "gb18030" and not _looks_like_gb18030(value):
            continue
        try:
            return DecodedText(value.decode(codec), False, label)
        except UnicodeDecodeError:
            continue
    return DecodedText(value.decode("latin-1"), False, "ISO_IR 100")


def strip_escape_sequences(text: str) -> str:
    """Remove ISO 2022 escape sequences (ESC $ ) A and the like) left in decoded text."""
    return _ESCAPE_SEQUENCE.sub("", text)
