"""Inspection and bounded extraction of zip uploads.

inspect_archive reads only the zip structure and rejects the whole archive, listing every bad
entry, before a byte is extracted. extract_archive writes regular files only, under names it
generates, and counts the inflated bytes while streaming so that an archive whose entries inflate
beyond what they declare is stopped at the limit.
"""

import logging
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from annotation_platform.errors import ActionableError
from annotation_platform.imaging.intake import archive_messages as messages
from annotation_platform.imaging.intake import entry_names
from annotation_platform.imaging.intake.limits import (
    RATIO_CHECK_MIN_BYTES,
    ByteBudget,
    IntakeLimits,
)
from annotation_platform.imaging.intake.problems import Problem, display_name, format_bytes
from annotation_platform.imaging.intake.zip_structure import (
    ZipStructureError,
    check_entry_spans,
    count_central_records,
    locate_central_directory,
)

logger = logging.getLogger(__name__)

CHUNK_BYTES = 1024 * 1024
# Deflate output is bounded per read call. zipfile inflates bzip2 and LZMA entries without such a
# bound, so one 4 KiB read of a crafted entry can allocate gigabytes: they are rejected.
SUPPORTED_METHODS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED})
# General purpose flag bits 0 (encrypted) and 6 (strong encryption), APPNOTE section 4.4.4.
ENCRYPTION_FLAGS = 0x01 | 0x40
MAX_LISTED_PROBLEMS = 50
MAX_NAMED_ENTRIES = 10
# Suffixes kept on generated file names, so later steps can still break ties by extension.
KEPT_SUFFIXES = (".nii.gz", ".dcm.gz", ".nii", ".dcm", ".ima", ".gz", ".zip")
# Errors that zipfile raises on damaged or crafted archives.
ZIP_ERRORS = (
    zipfile.BadZipFile,
    NotImplementedError,
    OSError,
    EOFError,
    struct.error,
    ValueError,
    zlib.error,
)
# The order in which entry problems pick the code of the error that rejects the archive.
CODE_PRIORITY = (
    "UNSAFE_ARCHIVE_ENTRY",
    "DUPLICATE_ARCHIVE_ENTRY",
    "ARCHIVE_ENTRY_ENCRYPTED",
    "ARCHIVE_ENTRY_UNSUPPORTED_COMPRESSION",
    "ARCHIVE_ENTRY_CORRUPT",
    "ARCHIVE_TOO_LARGE",
    "ARCHIVE_RATIO_TOO_HIGH",
)


@dataclass(frozen=True)
class ArchiveEntry:
    """A regular file in a zip archive that passed inspection."""

    # Position in the central directory, as in ZipFile.infolist().
    index: int
    # Entry name for display only: decoded, with control characters escaped.
    name: str
    file_size: int
    compress_size: int


@dataclass(frozen=True)
class ExtractedFile:
    """An extracted entry and the generated path it was written to."""

    entry: ArchiveEntry
    path: Path


def inspect_archive(
    path: Path, limits: IntakeLimits, *, name: str | None = None
) -> list[ArchiveEntry]:
    """Check a zip archive's structure and every entry, and return the regular files in it.

    Directory entries and desktop metadata (__MACOSX, .DS_Store) are left out quietly. Raises one
    ActionableError that lists every bad entry in params `problems`, `count` and `entry_names`.
    Its code is the most serious problem's: UNSAFE_ARCHIVE_ENTRY, DUPLICATE_ARCHIVE_ENTRY,
    ARCHIVE_ENTRY_ENCRYPTED, ARCHIVE_ENTRY_UNSUPPORTED_COMPRESSION, ARCHIVE_ENTRY_CORRUPT,
    ARCHIVE_TOO_LARGE or ARCHIVE_RATIO_TOO_HIGH. Raises ARCHIVE_UNREADABLE or
    ARCHIVE_TOO_MANY_ENTRIES before reading any entry. `name` is the name shown to the uploader.
    """
    name = name or path.name
    archive_bytes = path.stat().st_size
    with path.open("rb") as stream:
        with _open_archive(stream, archive_bytes, limits, name) as archive:
            entries, problems = _check_entries(archive, limits, name)
    problems += _archive_size_problems(entries, archive_bytes, limits, name)
    if problems:
        raise _rejection(name, problems)
    return entries


def extract_archive(
    path: Path,
    dest_dir: Path,
    limits: IntakeLimits,
    *,
    name: str | None = None,
    budget: ByteBudget | None = None,
) -> list[ExtractedFile]:
    """Inspect a zip archive, then write its regular files into `dest_dir` under generated names.

    Raises what inspect_archive raises, and while extracting ARCHIVE_TOO_LARGE (past the budget),
    ARCHIVE_ENTRY_SIZE_MISMATCH (an entry inflates beyond its declared size) or
    ARCHIVE_ENTRY_CORRUPT. Files already written are removed when it raises. `budget` is the
    inflated-bytes count shared by the whole upload.
    """
    name = name or path.name
    entries = inspect_archive(path, limits, name=name)
    budget = budget or ByteBudget(limits.max_uncompressed_bytes)
    if sum(entry.file_size for entry in entries) > budget.remaining:
        raise _too_large_error(name, budget.limit)

    dest_dir.mkdir(parents=True, exist_ok=True)
    extracted: list[ExtractedFile] = []
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            for number, entry in enumerate(entries):
                target = dest_dir / generated_name(number, entry.name)
                _extract_entry(archive, infos[entry.index], target, entry, budget, name)
                extracted.append(ExtractedFile(entry=entry, path=target))
    except BaseException:
        for item in extracted:
            item.path.unlink(missing_ok=True)
        raise
    return extracted


def generated_name(number: int, entry_name: str) -> str:
    """Return the file name for the `number`-th extracted entry, keeping a known suffix only."""
    lowered = entry_name.lower()
    suffix = next((suffix for suffix in KEPT_SUFFIXES if lowered.endswith(suffix)), "")
    return f"entry-{number:06d}{suffix}"


def _open_archive(
    stream: BinaryIO, archive_bytes: int, limits: IntakeLimits, name: str
) -> zipfile.ZipFile:
    try:
        directory = locate_central_directory(stream, archive_bytes)
        if directory.declared_entries > limits.max_entries:
            raise _too_many_entries_error(name, limits)
        if count_central_records(stream, directory, limits.max_entries) > limits.max_entries:
            raise _too_many_entries_error(name, limits)
        archive = zipfile.ZipFile(stream)
        check_entry_spans(stream, archive.infolist(), directory.start)
    except (ZipStructureError, *ZIP_ERRORS) as error:
        logger.info("zip archive unreadable: %s", type(error).__name__)
        raise _unreadable_error(name) from error
    return archive


def _check_entries(
    archive: zipfile.ZipFile, limits: IntakeLimits, name: str
) -> tuple[list[ArchiveEntry], list[Problem]]:
    entries: list[ArchiveEntry] = []
    problems: list[Problem] = []
    first_by_key: dict[str, str] = {}
    for index, info in enumerate(archive.infolist()):
        entry_name = entry_names.decode_entry_name(info)
        shown_name = display_name(entry_name)
        issue = entry_names.name_issue(entry_name) or entry_names.type_issue(info)
        if issue is not None:
            problems.append(_unsafe_problem(issue, name, shown_name))
            continue
        parts = entry_names.path_parts(entry_name)
        if entry_names.is_directory(info) or entry_names.is_junk(parts):
            continue
        problem = _content_problem(info, limits, name, shown_name)
        if problem is not None:
            problems.append(problem)
            continue
        key = entry_names.collision_key(parts)
        if key in first_by_key:
            problems.append(_duplicate_problem(name, shown_name, first_by_key[key]))
            continue
        first_by_key[key] = shown_name
        entries.append(ArchiveEntry(index, shown_name, info.file_size, info.compress_size))
    return entries, problems


def _content_problem(
    info: zipfile.ZipInfo, limits: IntakeLimits, name: str, shown_name: str
) -> Problem | None:
    params: dict[str, Any] = {"name": name, "entry": shown_name}
    if info.flag_bits & ENCRYPTION_FLAGS:
        return _problem(shown_name, "ARCHIVE_ENTRY_ENCRYPTED", messages.ENCRYPTED_TEMPLATE, params)
    if info.compress_type not in SUPPORTED_METHODS:
        params["method"] = info.compress_type
        return _problem(
            shown_name, "ARCHIVE_ENTRY_UNSUPPORTED_COMPRESSION", messages.METHOD_TEMPLATE, params
        )
    if info.compress_type == zipfile.ZIP_STORED and info.compress_size != info.file_size:
        return _problem(
            shown_name, "ARCHIVE_ENTRY_CORRUPT", messages.CORRUPT_ENTRY_TEMPLATE, params
        )
    if info.file_size > limits.max_uncompressed_bytes:
        params.update(size_bytes=info.file_size, limit_bytes=limits.max_uncompressed_bytes)
        params["limit_text"] = format_bytes(limits.max_uncompressed_bytes)
        return _problem(shown_name, "ARCHIVE_TOO_LARGE", messages.ENTRY_TOO_LARGE_TEMPLATE, params)
    if _ratio_too_high(info.file_size, info.compress_size, limits):
        params.update(size_bytes=info.file_size, compressed_bytes=info.compress_size)
        params["max_ratio"] = limits.max_ratio
        return _problem(shown_name, "ARCHIVE_RATIO_TOO_HIGH", messages.ENTRY_RATIO_TEMPLATE, params)
    return None


def _archive_size_problems(
    entries: list[ArchiveEntry], archive_bytes: int, limits: IntakeLimits, name: str
) -> list[Problem]:
    declared = sum(entry.file_size for entry in entries)
    if declared > limits.max_uncompressed_bytes:
        return [Problem.from_error(name, _too_large_error(name, limits.max_uncompressed_bytes))]
    if _ratio_too_high(declared, archive_bytes, limits):
        params = {
            "name": name,
            "size_bytes": declared,
            "compressed_bytes": archive_bytes,
            "max_ratio": limits.max_ratio,
        }
        return [_problem(name, "ARCHIVE_RATIO_TOO_HIGH", messages.ARCHIVE_RATIO_TEMPLATE, params)]
    return []


def _ratio_too_high(size: int, compressed_size: int, limits: IntakeLimits) -> bool:
    return size >= RATIO_CHECK_MIN_BYTES and size > limits.max_ratio * max(compressed_size, 1)


def _extract_entry(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    target: Path,
    entry: ArchiveEntry,
    budget: ByteBudget,
    name: str,
) -> None:
    # "xb" never replaces an existing file. A failure removes the partial output.
    with target.open("xb") as out:
        try:
            _copy_entry(archive, info, out, entry, budget, name)
        except BaseException:
            out.close()
            target.unlink(missing_ok=True)
            raise


def _copy_entry(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    out: BinaryIO,
    entry: ArchiveEntry,
    budget: ByteBudget,
    name: str,
) -> None:
    written = 0
    try:
        stream = archive.open(info)
    except ZIP_ERRORS as error:
        raise _corrupt_entry_error(name, entry.name) from error
    with stream:
        while True:
            try:
                chunk = stream.read(CHUNK_BYTES)
            except ZIP_ERRORS as error:
                logger.info("zip entry unreadable: %s", type(error).__name__)
                raise _corrupt_entry_error(name, entry.name) from error
            if not chunk:
                break
            written += len(chunk)
            if written > entry.file_size:
                raise _size_mismatch_error(name, entry)
            if not budget.charge(len(chunk)):
                raise _too_large_error(name, budget.limit)
            out.write(chunk)
    if written != entry.file_size:
        raise _corrupt_entry_error(name, entry.name)


def _rejection(name: str, problems: list[Problem]) -> ActionableError:
    """Build the one error that rejects an archive, coded by its most serious problem."""
    top = min(problems, key=lambda problem: CODE_PRIORITY.index(problem.code))
    same_code = [problem for problem in problems if problem.code == top.code]
    listed_names = [problem.name for problem in same_code[:MAX_NAMED_ENTRIES]]
    if len(same_code) > MAX_NAMED_ENTRIES:
        listed_names.append("…")
    params = {
        **top.params,
        "name": name,
        "count": len(same_code),
        "entry_names": ", ".join(listed_names),
        "problems": [problem.as_dict() for problem in problems[:MAX_LISTED_PROBLEMS]],
        "problem_count": len(problems),
    }
    return ActionableError(
        top.code, messages.SUMMARY_TEMPLATES.get(top.code, top.template), **params
    )


def _problem(shown_name: str, code: str, template: str, params: dict[str, Any]) -> Problem:
    return Problem(name=shown_name, code=code, template=template, params=params)


def _unsafe_problem(issue: entry_names.NameIssue, name: str, shown_name: str) -> Problem:
    params = {"name": name, "entry": shown_name, **issue.params}
    return _problem(shown_name, "UNSAFE_ARCHIVE_ENTRY", issue.template, params)


def _duplicate_problem(name: str, shown_name: str, first_shown_name: str) -> Problem:
    params = {"name": name, "entry": shown_name, "other_entry": first_shown_name}
    return _problem(shown_name, "DUPLICATE_ARCHIVE_ENTRY", messages.DUPLICATE_TEMPLATE, params)


def _unreadable_error(name: str) -> ActionableError:
    return ActionableError("ARCHIVE_UNREADABLE", messages.UNREADABLE_TEMPLATE, name=name)


def _too_many_entries_error(name: str, limits: IntakeLimits) -> ActionableError:
    return ActionableError(
        "ARCHIVE_TOO_MANY_ENTRIES",
        messages.TOO_MANY_ENTRIES_TEMPLATE,
        name=name,
        limit=limits.max_entries,
    )


def _too_large_error(name: str, limit: int) -> ActionableError:
    return ActionableError(
        "ARCHIVE_TOO_LARGE",
        messages.TOO_LARGE_TEMPLATE,
        name=name,
        limit_bytes=limit,
        limit_text=format_bytes(limit),
    )


def _size_mismatch_error(name: str, entry: ArchiveEntry) -> ActionableError:
    return ActionableError(
        "ARCHIVE_ENTRY_SIZE_MISMATCH",
        messages.SIZE_MISMATCH_TEMPLATE,
        name=name,
        entry=entry.name,
        declared_bytes=entry.file_size,
    )


def _corrupt_entry_error(name: str, entry_name: str) -> ActionableError:
    return ActionableError(
        "ARCHIVE_ENTRY_CORRUPT", messages.CORRUPT_ENTRY_TEMPLATE, name=name, entry=entry_name
    )
