"""The demo project that `make run` loads from the public reference data."""

import logging
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from annotation_platform.accounts.demo import demo_accounts_ensure
from annotation_platform.errors import ActionableError
from annotation_platform.projects.models import Membership, Project
from annotation_platform.projects.services import project_create
from annotation_platform.protocols.services import protocol_latest, sync_builtin_protocols
from annotation_platform.studies.models import Upload
from annotation_platform.studies.services.uploads import IncomingFile, upload_receive

logger = logging.getLogger(__name__)

DEMO_PROJECT = "Demo glioma and metastasis cohort"


@dataclass(frozen=True)
class DemoCase:
    """One demo upload: files under the reference data folder, and the case label for NIfTI."""

    folder: str
    files: tuple[str, ...] = ()  # empty: every file of the folder
    subject: str = ""


DEMO_CASES = (
    DemoCase("brats-like/BraTS-GLI-00001-000", subject="BraTS-GLI-00001-000"),
    DemoCase("brats-like/BraTS-METS-sample-AURORA", subject="BraTS-METS-sample-AURORA"),
    # The raw TCGA scans (the folder's own files, not its preprocessed subfolder), each on its own
    # matrix: the demo of co-registration.
    DemoCase("brats-like/TCGA-FG-6692", subject="TCGA-FG-6692"),
    DemoCase(
        "brats-like/BraTS2015_brats_2013_pat0005_1",
        files=("Flair_subtrMeanDivStd.nii.gz", "T1c_subtrMeanDivStd.nii.gz"),
        subject="BraTS2015-pat0005",
    ),
    DemoCase("dicom/philips/ingenia_elition_sag3d_t1_mprage_series1301/dicom_classic"),
    # A Chinese patient name in GB18030: shows de-identification of non-ASCII names.
    DemoCase("charset", files=("chrX2.dcm",)),
)


def demo_project_ensure() -> Project:
    users = demo_accounts_ensure()
    sync_builtin_protocols()
    project = Project.objects.filter(name=DEMO_PROJECT).first()
    if project is None:
        project = project_create(
            name=DEMO_PROJECT,
            protocol_version=protocol_latest("cns-tumour"),
            created_by=users["admin"],
            pseudonym_prefix="GLI",
            description=(
                "Public sample cases (BraTS, TCGA, dcm2niix test series) for trying the platform."
            ),
            irb_number="DEMO-IRB-2026-001",
            irb_body="Demonstration only: no real ethics committee",
            irb_valid_until=timezone.localdate() + timedelta(days=3650),
        )
        # Ready cases go straight to the demo annotators' worklists.
        project.auto_assign = True
        project.save(update_fields=["auto_assign"])
    roles = {
        "annotator1": Membership.Role.ANNOTATOR,
        "annotator2": Membership.Role.ANNOTATOR,
        "reviewer": Membership.Role.REVIEWER,
    }
    for username, role in roles.items():
        Membership.objects.get_or_create(project=project, user=users[username], role=role)
    return project


def demo_data_dir() -> Path:
    return Path(settings.SHARED_DIR) / "data"


def demo_data_load(project: Project) -> list[str]:
    """Queue every demo case not yet uploaded; return one line per case for the console."""
    root = demo_data_dir()
    if not root.is_dir():
        return [f"No reference data at {root}: the demo project starts empty."]
    if project.uploads.filter(source=Upload.Source.DEMO).exists():
        return ["Demo data already loaded."]
    admin = project.created_by
    lines = []
    for case in DEMO_CASES:
        folder = root / case.folder
        paths = (
            [folder / name for name in case.files]
            if case.files
            else sorted(path for path in folder.iterdir() if path.is_file())
        )
        incoming = [
            IncomingFile(name=f"{Path(case.folder).name}/{path.name}", file=path) for path in paths
        ]
        try:
            upload = upload_receive(
                project=project,
                user=admin,
                files=incoming,
                source=Upload.Source.DEMO,
                subject=case.subject,
            )
        except (ActionableError, FileNotFoundError) as error:
            lines.append(f"  {case.folder}: not loaded ({error})")
            continue
        lines.append(f"  {case.folder}: {upload.file_count} files queued (upload {upload.pk})")
    return lines
