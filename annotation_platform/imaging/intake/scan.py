"""The synchronous check of a whole upload: every file, archive entry and compressed file.

scan_upload expands zip archives and gzip files into a work folder, checks every file it finds,
and either returns all accepted files or raises one error listing every problem, so an upload is
imported whole or not at all.
"""

import logging
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotation_platform.errors import ActionableError, gettext_noop
from annotation_platform.imaging.intake import entry_names
from annotation_platform.imaging.intake.archives import extract_archive
from annotation_platform.imaging.intake.dicom_input import DicomCheck, check_dicom
from annotation_platform.imaging.intake.dicom_messages import DICOMDIR_SKIPPED_TEMPLATE
from annotation_platform.imaging.intake.gzip_files import gunzip_bounded
from annotation_platform.imaging.intake.limits import ByteBudget, IntakeLimits
from annotation_platform.imaging.intake.nifti_input import NiftiCheck, check_nifti
from annotation_platform.imaging.intake.problems import (
    Problem,
    display_name,
    format_bytes,
    nested_name,
)
from annotation_platform.imaging.intake.sniff import FileKind, sniff

logger = logging.getLogger(__name__)

MAX_LISTED_PROBLEMS = 50
MAX_NAMED_FILES = 5
KNOWN_SUFFIXES = (".dcm", ".dicom", ".ima", ".nii", ".nii.gz", ".dcm.gz", ".zip", ".gz")


@dataclass(frozen=True)
class AcceptedFile:
    """A file that passed every check, ready to be stored in quarantine."""

    kind: FileKind
    # The uploaded file itself, or a file that scan_upload wrote into its work folder.
    path: Path
    # The name shown to the uploader, such as "upload.zip > study/IM0001.dcm". It may contain
    # patient names: show it in the response only, never log or store it.
    name: str
    # Position of the uploaded file this came from, in the list passed to scan_upload.
    upload_index: int
    dicom: DicomCheck | None = None
    nifti: NiftiCheck | None = None


@dataclass(frozen=True)
class IntakeReport:
    """The outcome of an accepted upload."""

    accepted: list[AcceptedFile]
    # Files left out with a note for the uploader (DICOMDIR). Desktop metadata files such as
    # .DS_Store are left out without one.
    skipped: list[Problem]
    upload_bytes: int
    inflated_bytes: int
    # The folder that scan_upload created inside the given work folder; the caller removes it.
    work_dir: Path


@dataclass
class _Scan:
    """The state of one scan_upload call."""

    limits: IntakeLimits
    budget: ByteBudget
    work_dir: Path
    accepted: list[AcceptedFile] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    generated: int = 0

    def add_problem(self, problem: Problem) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_LISTED_PROBLEMS:
            self.problems.append(problem)

    def next_path(self, suffix: str) -> Path:
        self.generated += 1
        return self.work_dir / f"file-{self.generated:06d}{suffix}"


def scan_upload(
    paths_with_names: Sequence[tuple[Path, str]], limits: IntakeLimits, work_dir: Path
) -> IntakeReport:
    """Check every file of one upload and return the accepted files.

    `paths_with_names` pairs each uploaded file's path with its original name (or relative path,
    for a folder import), which is shown only to the uploader. Zip archives and gzip files are
    expanded into a new folder inside `work_dir`, which is removed again when this raises.
    Raises ActionableError UPLOAD_EMPTY, UPLOAD_TOO_LARGE, or UPLOAD_REJECTED with params
    `problems` (up to 50 dicts of name, code, message, template and params), `count` and `names`.
    """
    upload_bytes = _check_upload_size(paths_with_names, limits)
    scan = _Scan(
        limits,
        ByteBudget(limits.max_uncompressed_bytes),
        Path(tempfile.mkdtemp(prefix="intake-", dir=work_dir)),
    )
    try:
        for index, (path, name) in enumerate(paths_with_names):
            _scan_upload_file(scan, Path(path), name, index)
        if scan.problem_count:
            raise _rejection(scan)
        if not scan.accepted:
            raise _no_images_error(len(scan.skipped))
    except BaseException:
        shutil.rmtree(scan.work_dir, ignore_errors=True)
        raise
    finally:
        logger.info(
            "upload scanned: %d files, %d accepted, %d skipped, %d problems, %d bytes inflated",
            len(paths_with_names),
            len(scan.accepted),
            len(scan.skipped),
            scan.problem_count,
            scan.budget.used,
        )
    return IntakeReport(scan.accepted, scan.skipped, upload_bytes, scan.budget.used, scan.work_dir)


def _check_upload_size(paths_with_names: Sequence[tuple[Path, str]], limits: IntakeLimits) -> int:
    sizes = [Path(path).stat().st_size for path, _ in paths_with_names]
    total = sum(sizes)
    if total == 0:
        raise ActionableError("UPLOAD_EMPTY", EMPTY_TEMPLATE, file_count=len(sizes))
    if total > limits.max_upload_bytes:
        raise ActionableError(
            "UPLOAD_TOO_LARGE",
            TOO_LARGE_TEMPLATE,
            size_bytes=total,
            limit_bytes=limits.max_upload_bytes,
            size_text=format_bytes(total),
            limit_text=format_bytes(limits.max_upload_bytes),
        )
    return total


def _scan_upload_file(scan: _Scan, path: Path, name: str, index: int) -> None:
    if entry_names.is_junk(entry_names.path_parts(name) or (name,)):
        return
    _scan_file(scan, path, display_name(name), index, inside_archive=False)


def _scan_file(
    scan: _Scan, path: Path, shown_name: str, index: int, *, inside_archive: bool
) -> None:
    """Check one file, expanding it when it is a zip archive or a gzip-compressed DICOM file."""
    kind = sniff(path, shown_name)
    try:
        if kind is FileKind.EMPTY:
            raise ActionableError("FILE_EMPTY", FILE_EMPTY_TEMPLATE, name=shown_name)
        if kind is FileKind.GZIP_ARCHIVE or (kind is FileKind.ZIP and inside_archive):
            raise ActionableError("NESTED_ARCHIVE", NESTED_ARCHIVE_TEMPLATE, name=shown_name)
        if kind is FileKind.ZIP:
            _scan_zip(scan, path, shown_name, index)
        elif kind is FileKind.DICOM_GZ:
            _scan_dicom_gz(scan, path, shown_name, index)
        elif kind is FileKind.DICOM:
            _accept_dicom(scan, path, shown_name, index)
        elif kind.is_nifti:
            # A .nii.gz stays compressed. check_nifti inflates it only to count its length, up to
            # the size its header declares, so it is not charged to the budget.
            nifti = check_nifti(path, scan.limits, name=shown_name)
            scan.accepted.append(AcceptedFile(kind, path, shown_name, index, nifti=nifti))
        elif kind is FileKind.GZIP_UNKNOWN:
            raise ActionableError("UNSUPPORTED_FILE", UNSUPPORTED_GZIP_TEMPLATE, name=shown_name)
        else:
            raise _unsupported_error(shown_name)
    except ActionableError as error:
        scan.add_problem(_problem_from_error(shown_name, error))


def _scan_zip(scan: _Scan, path: Path, shown_name: str, index: int) -> None:
    scan.generated += 1
    folder = scan.work_dir / f"zip-{scan.generated:06d}"
    try:
        extracted = extract_archive(path, folder, scan.limits, name=shown_name, budget=scan.budget)
    except ActionableError as error:
        listed = error.params.get("problems")
        if listed is None:
            # The archive as a whole failed (unreadable, too many entries, too large), or one
            # entry failed while extracting.
            scan.add_problem(_problem_from_error(shown_name, error))
            return
        for problem in listed:
            scan.add_problem(_archive_problem(shown_name, problem))
        # An archive lists at most MAX_LISTED_PROBLEMS entries, but all of them count.
        scan.problem_count += error.params["problem_count"] - len(listed)
        return
    if not extracted:
        scan.add_problem(
            Problem(shown_name, "ARCHIVE_EMPTY", ARCHIVE_EMPTY_TEMPLATE, {"name": shown_name})
        )
    for item in extracted:
        _scan_file(
            scan, item.path, nested_name(shown_name, item.entry.name), index, inside_archive=True
        )


def _scan_dicom_gz(scan: _Scan, path: Path, shown_name: str, index: int) -> None:
    target = scan.next_path(".dcm")
    gunzip_bounded(path, target, scan.limits, name=shown_name, budget=scan.budget)
    _accept_dicom(scan, target, shown_name, index)


def _accept_dicom(scan: _Scan, path: Path, shown_name: str, index: int) -> None:
    dicom = check_dicom(path, name=shown_name)
    if dicom.skip_code is not None:
        scan.skipped.append(
            Problem(shown_name, dicom.skip_code, DICOMDIR_SKIPPED_TEMPLATE, {"name": shown_name})
        )
        return
    scan.accepted.append(AcceptedFile(FileKind.DICOM, path, shown_name, index, dicom=dicom))


def _problem_from_error(shown_name: str, error: ActionableError) -> Problem:
    entry = error.params.get("entry")
    name = (
        nested_name(shown_name, entry)
        if entry and error.params.get("name") == shown_name
        else shown_name
    )
    return Problem.from_error(name, error)


def _archive_problem(shown_name: str, problem: dict[str, Any]) -> Problem:
    name = problem["name"]
    full_name = name if name == shown_name else nested_name(shown_name, name)
    return Problem(full_name, problem["code"], problem["template"], problem["params"])


def _unsupported_error(shown_name: str) -> ActionableError:
    lowered = shown_name.lower()
    suffix = next((suffix for suffix in KNOWN_SUFFIXES if lowered.endswith(suffix)), "")
    if suffix:
        return ActionableError(
            "UNSUPPORTED_FILE", UNSUPPORTED_WITH_SUFFIX_TEMPLATE, name=shown_name, suffix=suffix
        )
    return ActionableError("UNSUPPORTED_FILE", UNSUPPORTED_TEMPLATE, name=shown_name)


def _rejection(scan: _Scan) -> ActionableError:
    names = [problem.name for problem in scan.problems[:MAX_NAMED_FILES]]
    if scan.problem_count > MAX_NAMED_FILES:
        names.append("…")
    return ActionableError(
        "UPLOAD_REJECTED",
        REJECTED_TEMPLATE,
        count=scan.problem_count,
        names=", ".join(names),
        problems=[problem.as_dict() for problem in scan.problems],
    )


def _no_images_error(skipped_count: int) -> ActionableError:
    return ActionableError("UPLOAD_EMPTY", NO_IMAGES_TEMPLATE, skipped_count=skipped_count)


EMPTY_TEMPLATE = gettext_noop(
    "The upload contains no data: no files, or only empty ones. Choose DICOM files, a zip archive "
    "of them, or NIfTI files, and upload again."
)
NO_IMAGES_TEMPLATE = gettext_noop(
    "The upload contains no image files: every file was a DICOMDIR or desktop metadata "
    "(%(skipped_count)s skipped with a note). Choose the DICOM image files or NIfTI files "
    "themselves, and upload again."
)
TOO_LARGE_TEMPLATE = gettext_noop(
    "The upload is %(size_text)s, more than the limit of %(limit_text)s. Split it into several "
    "uploads, or ask an administrator to import the files with the bulk import command."
)
REJECTED_TEMPLATE = gettext_noop(
    "The upload was rejected and nothing was imported, because %(count)s problems were found. "
    "Fix or remove the files that have problems and upload again. Files: %(names)s"
)
FILE_EMPTY_TEMPLATE = gettext_noop(
    "%(name)s is empty (0 bytes). Remove it, or upload the file again."
)
NESTED_ARCHIVE_TEMPLATE = gettext_noop(
    "%(name)s is an archive inside an archive (or a compressed archive), which is not expanded. "
    "Extract it and upload its files, or one zip archive of them."
)
ARCHIVE_EMPTY_TEMPLATE = gettext_noop(
    "%(name)s contains no files (only folders or desktop metadata). Create the archive again "
    "from the image files."
)
UNSUPPORTED_TEMPLATE = gettext_noop(
    "%(name)s is not a DICOM, NIfTI, gzip or zip file (its content was checked, not its name). "
    "Remove it from the upload."
)
UNSUPPORTED_GZIP_TEMPLATE = gettext_noop(
    "%(name)s is a gzip file, but what it contains is not DICOM or NIfTI, or it is damaged. "
    "Remove it from the upload, or compress the original image file again."
)
UNSUPPORTED_WITH_SUFFIX_TEMPLATE = gettext_noop(
    "%(name)s ends in %(suffix)s, but its content is not in that format: it may be damaged or "
    "renamed. Export the file again, or remove it from the upload."
)
