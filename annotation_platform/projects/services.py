"""Creating projects and recording their ethics approval."""

import hashlib
import logging
from datetime import date
from pathlib import PurePath
from typing import IO

from django.db import transaction
from django.utils import timezone

from annotation_platform.accounts.models import User
from annotation_platform.core.storage import object_storage, put_bytes
from annotation_platform.errors import ActionableError, gettext_noop
from annotation_platform.projects.models import Membership, Project
from annotation_platform.protocols.models import ProtocolVersion

logger = logging.getLogger(__name__)

IRB_DOCUMENT_TYPES = {".pdf", ".png", ".jpg", ".jpeg"}
IRB_DOCUMENT_MAX_BYTES = 20 * 1024 * 1024


def project_create(
    *,
    name: str,
    protocol_version: ProtocolVersion,
    created_by: User,
    pseudonym_prefix: str = "PAT",
    description: str = "",
    retain_patient_characteristics: bool = False,
    irb_number: str = "",
    irb_body: str = "",
    irb_valid_until: date | None = None,
) -> Project:
    """Create a project; its creator becomes its first admin."""
    with transaction.atomic():
        project = Project(
            name=name.strip(),
            protocol_version=protocol_version,
            created_by=created_by,
            pseudonym_prefix=pseudonym_prefix.strip().upper(),
            description=description,
            retain_patient_characteristics=retain_patient_characteristics,
            irb_number=irb_number.strip(),
            irb_body=irb_body.strip(),
            irb_valid_until=irb_valid_until,
        )
        project.full_clean()
        project.save()
        Membership.objects.create(project=project, user=created_by, role=Membership.Role.ADMIN)
    logger.info("project %s created by user %s", project.pk, created_by.pk)
    return project


def project_irb_document_attach(*, project: Project, name: str, stream: IO[bytes]) -> str:
    """Store the ethics approval document; return its object key."""
    suffix = PurePath(name).suffix.lower()
    if suffix not in IRB_DOCUMENT_TYPES:
        raise ActionableError(
            "IRB_DOCUMENT_TYPE",
            gettext_noop(
                "The approval document must be a PDF, PNG or JPEG file, not %(suffix)s. "
                "Scan or export it in one of these formats."
            ),
            suffix=suffix or "(no extension)",
        )
    data = stream.read(IRB_DOCUMENT_MAX_BYTES + 1)
    if len(data) > IRB_DOCUMENT_MAX_BYTES:
        raise ActionableError(
            "IRB_DOCUMENT_TOO_LARGE",
            gettext_noop("The approval document is larger than %(limit_mb)s MB. Compress it."),
            limit_mb=IRB_DOCUMENT_MAX_BYTES // (1024 * 1024),
        )
    key = f"irb/{project.uuid}/{hashlib.sha256(data).hexdigest()}{suffix}"
    put_bytes(object_storage(), key, data)
    project.irb_document_key = key
    project.save(update_fields=["irb_document_key"])
    return key


def project_require_ingest_allowed(project: Project, on: date | None = None) -> None:
    """Raise unless the project has a valid ethics approval on `on` (today by default)."""
    today = on or timezone.localdate()
    if not project.irb_number.strip() or not project.irb_body.strip():
        raise ActionableError(
            "IRB_APPROVAL_MISSING",
            gettext_noop(
                "Project %(project)s has no ethics approval recorded, so no data can be imported "
                "into it. A project admin must enter the approval number and approving body first."
            ),
            project=project.name,
        )
    if project.irb_valid_until is None or project.irb_valid_until < today:
        raise ActionableError(
            "IRB_APPROVAL_EXPIRED",
            gettext_noop(
                "The ethics approval %(number)s of project %(project)s expired on %(valid_until)s, "
                "so no data can be imported into it. Record the renewed approval first."
            ),
            project=project.name,
            number=project.irb_number,
            valid_until=str(project.irb_valid_until or "-"),
        )
