"""Checks of the names and file types that zip entries declare.

Entry names are never used as paths: extraction writes files under names it generates. The
checks still reject names that would escape the target folder or be misread in another tool, so
the uploader learns that the archive is unsafe instead of getting a partial import.
"""

import stat
import unicodedata
import zipfile
from dataclasses import dataclass, field
from typing import Any

from annotation_platform.errors import gettext_noop
from annotation_platform.imaging.intake.limits import MAX_ENTRY_NAME_CHARS, MAX_NAME_COMPONENT_BYTES
from annotation_platform.imaging.intake.problems import is_unsafe_character

UTF8_NAME_FLAG = 0x800
# Files that macOS, Windows and desktop tools add to folders and archives; skipped quietly.
JUNK_DIRECTORIES = frozenset({"__MACOSX"})
JUNK_FILES = frozenset({".DS_Store", "Thumbs.db", "ehthumbs.db", "desktop.ini"})
APPLE_DOUBLE_PREFIX = "._"


@dataclass(frozen=True)
class NameIssue:
    """Why an entry name or type is unsafe: a message template for UNSAFE_ARCHIVE_ENTRY."""

    template: str
    params: dict[str, Any] = field(default_factory=dict)


CONTROL_CHARACTER = NameIssue(
    gettext_noop(
        "Entry %(entry)s in %(name)s has a control character (such as NUL) or a text-direction "
        "character in its name. Rename the file and create the archive again."
    )
)
ABSOLUTE_PATH = NameIssue(
    gettext_noop(
        "Entry %(entry)s in %(name)s has an absolute path. Create the archive again from inside "
        "the folder that holds the images, so that entry names are relative."
    )
)
DRIVE_OR_COLON = NameIssue(
    gettext_noop(
        "Entry %(entry)s in %(name)s has a drive letter or a colon in its path. Create the "
        "archive again from inside the folder that holds the images."
    )
)
PARENT_REFERENCE = NameIssue(
    gettext_noop(
        "Entry %(entry)s in %(name)s has a '..' path component, which would place it outside "
        "the extraction folder. Create the archive again from the image folder itself."
    )
)
NAME_TOO_LONG = NameIssue(
    gettext_noop(
        "Entry %(entry)s in %(name)s has a name longer than %(max_name_chars)s characters or a "
        "path component longer than %(max_component_bytes)s bytes. Shorten the folder and file "
        "names and create the archive again."
    ),
    {"max_name_chars": MAX_ENTRY_NAME_CHARS, "max_component_bytes": MAX_NAME_COMPONENT_BYTES},
)
NO_FILE_NAME = NameIssue(
    gettext_noop(
        "Entry %(entry)s in %(name)s has no file name. Create the archive again with a zip tool "
        "that stores file names."
    )
)
SYMBOLIC_LINK = NameIssue(
    gettext_noop(
        "Entry %(entry)s in %(name)s is a symbolic link. Archives may contain only regular "
        "files: create the archive again without links, or with the files they point to."
    )
)
SPECIAL_FILE = NameIssue(
    gettext_noop(
        "Entry %(entry)s in %(name)s is a device, pipe or socket, not a regular file. Create the "
        "archive again from the image files only."
    )
)


def decode_entry_name(info: zipfile.ZipInfo) -> str:
    """Return the entry name as its creator most likely meant it.

    Without the UTF-8 flag, zipfile decodes names as code page 437. Tools on Chinese Windows
    write GBK and many other tools write UTF-8 without the flag, so undo the cp437 decoding and
    try UTF-8, then GB18030 (a superset of GBK), keeping cp437 when neither fits.
    """
    name = info.orig_filename
    if info.flag_bits & UTF8_NAME_FLAG or name.isascii():
        return name
    raw = name.encode("cp437")
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return name


def path_parts(name: str) -> tuple[str, ...]:
    """Split an entry name at both slash kinds, dropping empty and '.' components."""
    return tuple(part for part in name.replace("\\", "/").split("/") if part not in ("", "."))


def name_issue(name: str) -> NameIssue | None:
    """Return why an entry name is unsafe, or None when it is safe."""
    if any(is_unsafe_character(character) for character in name):
        return CONTROL_CHARACTER
    if name.startswith(("/", "\\")):
        return ABSOLUTE_PATH
    parts = path_parts(name)
    if any(":" in part for part in parts):
        return DRIVE_OR_COLON
    if ".." in parts:
        return PARENT_REFERENCE
    too_long_part = any(len(part.encode("utf-8")) > MAX_NAME_COMPONENT_BYTES for part in parts)
    if len(name) > MAX_ENTRY_NAME_CHARS or too_long_part:
        return NAME_TOO_LONG
    if not parts:
        return NO_FILE_NAME
    return None


def type_issue(info: zipfile.ZipInfo) -> NameIssue | None:
    """Return why an entry's declared Unix file type is unsafe, or None for files and folders."""
    mode = info.external_attr >> 16
    file_type = stat.S_IFMT(mode)
    if file_type == stat.S_IFLNK:
        return SYMBOLIC_LINK
    if file_type not in (0, stat.S_IFREG, stat.S_IFDIR):
        return SPECIAL_FILE
    return None


def is_directory(info: zipfile.ZipInfo) -> bool:
    return info.is_dir() or stat.S_ISDIR(info.external_attr >> 16)


def is_junk(parts: tuple[str, ...]) -> bool:
    """Return True for desktop metadata files that archives pick up by accident."""
    if any(part in JUNK_DIRECTORIES for part in parts):
        return True
    return parts[-1] in JUNK_FILES or parts[-1].startswith(APPLE_DOUBLE_PREFIX)


def collision_key(parts: tuple[str, ...]) -> str:
    """Return a key that is equal for names that collide on case-insensitive or normalising
    file systems (Windows, macOS): Unicode canonical equivalence and case are ignored."""
    joined = "/".join(parts)
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", joined).casefold())
