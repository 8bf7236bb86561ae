"""Bulk import of a folder tree from the shell, through the same checks as a browser upload.

Files are grouped into uploads: the NIfTI files of each folder form one case, and the DICOM files
and zip archives under each top-level folder form one upload (DICOM files are grouped into
studies and series by their UIDs, not by folder). Files of other kinds (reports, sidecars,
spreadsheets) are skipped and counted.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from annotation_platform.accounts.models import User
from annotation_platform.errors import ActionableError
from annotation_platform.imaging.intake.sniff import FileKind, sniff
from annotation_platform.projects.models import Project
from annotation_platform.studies.models import Upload
from annotation_platform.studies.services.uploads import IncomingFile, upload_receive

logger = logging.getLogger(__name__)

IMPORTABLE = {FileKind.DICOM, FileKind.DICOM_GZ, FileKind.ZIP, FileKind.GZIP_ARCHIVE}
# Files per upload: keeps one upload's scratch space and job bounded on large trees.
MAX_FILES_PER_UPLOAD = 5000


@dataclass
class ImportOutcome:
    uploads: list[Upload] = field(default_factory=list)
    rejected: list[tuple[str, ActionableError]] = field(default_factory=list)
    skipped_files: int = 0


def plan_import(root: Path) -> tuple[dict[str, list[tuple[Path, str]]], int]:
    """Group the files under `root` into uploads: {case label: [(path, relative name)]}."""
    groups: dict[str, list[tuple[Path, str]]] = defaultdict(list)
    skipped = 0
    files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
    base = root.parent if root.is_file() else root
    for path in files:
        if path.is_symlink():
            skipped += 1
            continue
        relative = path.relative_to(base).as_posix()
        kind = sniff(path, path.name)
        if kind.is_nifti:
            groups[f"nifti:{PurePosixPath(relative).parent}"].append((path, relative))
        elif kind in IMPORTABLE:
            top = (
                PurePosixPath(relative).parts[0] if len(PurePosixPath(relative).parts) > 1 else "."
            )
            groups[f"dicom:{top}"].append((path, relative))
        else:
            skipped += 1
    return dict(groups), skipped


def import_tree(
    *, root: Path, project: Project, user: User | None, source: str = Upload.Source.IMPORT
) -> ImportOutcome:
    """Import every case under `root`; a rejected case does not stop the others."""
    groups, skipped = plan_import(root)
    outcome = ImportOutcome(skipped_files=skipped)
    for label, files in groups.items():
        for start in range(0, len(files), MAX_FILES_PER_UPLOAD):
            chunk = files[start : start + MAX_FILES_PER_UPLOAD]
            subject = _subject(label, root)
            try:
                upload = upload_receive(
                    project=project,
                    user=user,
                    files=[IncomingFile(name=name, file=path) for path, name in chunk],
                    source=source,
                    subject=subject,
                )
            except ActionableError as error:
                outcome.rejected.append((label.partition(":")[2], error))
                continue
            outcome.uploads.append(upload)
    return outcome


def _subject(label: str, root: Path) -> str:
    kind, _, folder = label.partition(":")
    if kind != "nifti":
        return ""
    # A NIfTI case is named by its folder; files directly in the root take the root's name.
    return folder if folder not in ("", ".") else root.name
