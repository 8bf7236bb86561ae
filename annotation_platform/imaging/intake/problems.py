"""Problems found in an upload, and how file names are made safe to show.

A problem names the file at fault. File and entry names come from the uploader and often contain
patient names, so they go only into the synchronous response to that uploader: never into logs
and never into stored job rows.
"""

import unicodedata
from dataclasses import dataclass, field
from typing import Any

from annotation_platform.errors import ActionableError, render_message

# How much of a name is shown. Longer names are cut in the middle and marked with an ellipsis.
MAX_DISPLAY_CHARS = 160

# Characters that reorder the text around them when displayed (right-to-left overrides and
# isolates), so a name containing them can look like another name.
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


@dataclass(frozen=True)
class Problem:
    """One reason to reject an upload: the file at fault and an actionable message."""

    name: str
    code: str
    template: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return render_message(self.template, self.params)

    @classmethod
    def from_error(cls, name: str, error: ActionableError) -> "Problem":
        return cls(name=name, code=error.code, template=error.template, params=error.params)

    def as_dict(self) -> dict[str, Any]:
        """Return the JSON form: name, code, English message, and template with params."""
        return {
            "name": self.name,
            "code": self.code,
            "message": self.message,
            "template": self.template,
            "params": self.params,
        }


def is_unsafe_character(character: str) -> bool:
    """Return True for control characters (NUL included) and bidirectional text controls."""
    return unicodedata.category(character) == "Cc" or character in BIDI_CONTROLS


def display_name(name: str) -> str:
    """Return `name` with unsafe and invisible characters escaped and its length bounded."""
    escaped = "".join(_escape_character(character) for character in name)
    if len(escaped) <= MAX_DISPLAY_CHARS:
        return escaped
    half = (MAX_DISPLAY_CHARS - 1) // 2
    return f"{escaped[:half]}…{escaped[-half:]}"


def nested_name(outer: str, inner: str) -> str:
    """Return the name of a file inside an archive or compressed file, as shown to the uploader."""
    return f"{outer} > {inner}"


def _escape_character(character: str) -> str:
    if is_unsafe_character(character) or unicodedata.category(character) in ("Cf", "Zl", "Zp"):
        return f"\\u{ord(character):04x}" if ord(character) > 0xFF else f"\\x{ord(character):02x}"
    return character


def format_bytes(size: int) -> str:
    """Return a size in binary units for messages, such as '2.0 GiB'."""
    if size < 1024:
        return f"{size} bytes"
    value = size / 1024
    for unit in ("KiB", "MiB"):
        if value < 1024:
            return f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GiB"
