"""Receiving an upload: check every file, then hold the raw bytes in quarantine for ingest.

Nothing is stored unless the whole upload passes the checks, so a rejected upload leaves the
platform as it was. The error lists each file at fault with its original name: that response goes
only to the uploader, and the names are never logged or stored outside quarantine.
"""

import logging
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from annotation_platform.accounts.models import User
from annotation_platform.core.storage import put_file, quarantine_storage, scratch_folder
from annotation_platform.imaging.intake.limits import IntakeLimits
from annotation_platform.imaging.intake.scan import AcceptedFile, IntakeReport, scan_upload
from annotation_platform.projects.models import Project
from annotation_platform.projects.services import project_require_ingest_allowed
from annotation_platform.studies.models import Upload
from annotation_platform.studies.services.processing import upload_request_ingest
from annotation_platform.studies.services.quarantine import (
    QuarantineItem,
    manifest_write,
    quarantine_release,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class IncomingFile:
    """One received file: its original (relative) name and its content."""

    name: str
    file: UploadedFile | Path


def intake_limits() -> IntakeLimits:
    return IntakeLimits(
        max_upload_bytes=settings.UPLOAD_MAX_BYTES,
        max_uncompressed_bytes=settings.ARCHIVE_MAX_UNCOMPRESSED_BYTES,
        max_entries=settings.ARCHIVE_MAX_ENTRIES,
        max_ratio=settings.ARCHIVE_MAX_RATIO,
        max_nifti_voxels=settings.NIFTI_MAX_VOXELS,
    )


def upload_receive(
    *,
    project: Project,
    user: User | None,
    files: Sequence[IncomingFile],
    source: str,
    subject: str = "",
) -> Upload:
    """Check an upload and quarantine it; the ingest job is enqueued when the row commits.

    Raises ActionableError (IRB_APPROVAL_*, UPLOAD_EMPTY, UPLOAD_TOO_LARGE, UPLOAD_REJECTED)
    before anything is stored.
    """
    project_require_ingest_allowed(project)
    with scratch_folder("upload-") as work:
        pairs = [
            (_local_file(incoming, work, index), incoming.name)
            for index, incoming in enumerate(files)
        ]
        report = scan_upload(pairs, intake_limits(), work)
        upload = _quarantine(
            project=project, user=user, source=source, subject=subject, report=report, work=work
        )
    logger.info(
        "upload %s received into project %s: %s files, %s bytes",
        upload.pk,
        project.pk,
        upload.file_count,
        upload.total_bytes,
    )
    return upload


def _local_file(incoming: IncomingFile, work: Path, index: int) -> Path:
    if isinstance(incoming.file, Path):
        return incoming.file
    temporary = getattr(incoming.file, "temporary_file_path", None)
    if temporary is not None:
        return Path(temporary())
    # Small uploads stay in memory in Django; write them out so the checks can read a file.
    target = work / f"incoming-{index:06d}"
    with target.open("wb") as handle:
        for chunk in incoming.file.chunks():
            handle.write(chunk)
    return target


def _quarantine(
    *,
    project: Project,
    user: User | None,
    source: str,
    subject: str,
    report: IntakeReport,
    work: Path,
) -> Upload:
    """Store the accepted files and the manifest, and request the ingest job.

    Files inside `work` (the scratch copies of small uploads, and what the checks extracted) are
    moved rather than copied. The uploader's own files and Django's temporary files are copied.
    """
    storage = quarantine_storage()
    with transaction.atomic():
        upload = Upload.objects.create(
            project=project,
            created_by=user,
            source=source,
            file_count=len(report.accepted),
            total_bytes=report.upload_bytes,
        )
        items: list[QuarantineItem] = []
        try:
            for index, accepted in enumerate(report.accepted):
                kind = "nifti" if accepted.kind.is_nifti else "dicom"
                key = f"{upload.quarantine_prefix}{index:06d}{_suffix(accepted)}"
                put_file(storage, key, accepted.path, move=accepted.path.is_relative_to(work))
                items.append(QuarantineItem(index=index, kind=kind, key=key, name=accepted.name))
            manifest_write(upload, items, subject)
        except BaseException:
            quarantine_release(upload)
            raise
        finally:
            shutil.rmtree(report.work_dir, ignore_errors=True)
        upload_request_ingest(upload, user=user)
    return upload


def _suffix(accepted: AcceptedFile) -> str:
    if not accepted.kind.is_nifti:
        return ".dcm"
    return ".nii.gz" if accepted.kind.is_gzip else ".nii"
