"""Recording users' experience and their roles in projects."""

import hashlib
import logging
from datetime import date
from pathlib import PurePath
from typing import IO

from django.db import transaction
from django.utils import timezone

from annotation_platform.accounts.models import User
from annotation_platform.accounts.qualifications import qualification_for
from annotation_platform.core.audit import audit_record
from annotation_platform.core.storage import object_storage, put_bytes
from annotation_platform.errors import ActionableError, PermissionDeniedError, gettext_noop
from annotation_platform.projects.models import Membership, Project
from annotation_platform.projects.selectors import projects_administered_by

logger = logging.getLogger(__name__)

EVIDENCE_TYPES = {".pdf", ".png", ".jpg", ".jpeg"}
EVIDENCE_MAX_BYTES = 20 * 1024 * 1024


def user_can_verify(admin: User, user: User) -> bool:
    """Site admins verify anyone; project admins verify members of their projects."""
    if admin.is_superuser or admin.is_staff:
        return True
    return Membership.objects.filter(
        user=user, project__in=projects_administered_by(admin)
    ).exists()


def experience_record(
    *,
    user: User,
    practice_started_on: date,
    verified_by: User,
    note: str = "",
) -> User:
    """Record when the user's clinical practice began, verified by an admin (audited)."""
    if not user_can_verify(verified_by, user):
        raise PermissionDeniedError(
            "EXPERIENCE_VERIFY_FORBIDDEN",
            gettext_noop(
                "Only an admin of one of %(user)s's projects can verify their experience."
            ),
            user=user.username,
        )
    if practice_started_on > timezone.localdate():
        raise ActionableError(
            "EXPERIENCE_DATE_IN_FUTURE",
            gettext_noop(
                "The start of practice %(date)s lies in the future. Enter a date in the past."
            ),
            date=str(practice_started_on),
        )
    before = user.practice_started_on
    user.practice_started_on = practice_started_on
    user.experience_verified_by = verified_by
    user.experience_verified_at = timezone.now()
    user.experience_note = note[:300]
    user.save(
        update_fields=[
            "practice_started_on",
            "experience_verified_by",
            "experience_verified_at",
            "experience_note",
        ]
    )
    audit_record(
        actor=verified_by,
        action="qualification.changed",
        target=f"user:{user.pk}",
        practice_started_on=str(practice_started_on),
        previous=str(before) if before else None,
    )
    logger.info("experience of user %s verified by user %s", user.pk, verified_by.pk)
    return user


def experience_evidence_attach(*, user: User, admin: User, name: str, stream: IO[bytes]) -> str:
    if not user_can_verify(admin, user):
        raise PermissionDeniedError(
            "EXPERIENCE_VERIFY_FORBIDDEN",
            gettext_noop(
                "Only an admin of one of %(user)s's projects can verify their experience."
            ),
            user=user.username,
        )
    suffix = PurePath(name).suffix.lower()
    if suffix not in EVIDENCE_TYPES:
        raise ActionableError(
            "EVIDENCE_TYPE",
            gettext_noop("Evidence must be a PDF, PNG or JPEG file, not %(suffix)s."),
            suffix=suffix or "(no extension)",
        )
    data = stream.read(EVIDENCE_MAX_BYTES + 1)
    if len(data) > EVIDENCE_MAX_BYTES:
        raise ActionableError(
            "EVIDENCE_TOO_LARGE",
            gettext_noop("The evidence file is larger than %(limit_mb)s MB. Compress it."),
            limit_mb=EVIDENCE_MAX_BYTES // 1024**2,
        )
    key = f"evidence/{hashlib.sha256(data).hexdigest()}{suffix}"
    put_bytes(object_storage(), key, data)
    user.experience_evidence_key = key
    user.save(update_fields=["experience_evidence_key"])
    audit_record(actor=admin, action="qualification.evidence_added", target=f"user:{user.pk}")
    return key


def membership_add(*, project: Project, user: User, role: str, added_by: User) -> Membership:
    """Give `user` a role in `project`; annotators and reviewers must meet the protocol's
    experience threshold, and the reason is given when they do not."""
    if role in ("annotator", "reviewer"):
        check = qualification_for(user, role, project.protocol_version.definition)
        if not check.qualified:
            raise ActionableError(
                "NOT_QUALIFIED_FOR_ROLE",
                gettext_noop("%(user)s cannot be a %(role)s in %(project)s: %(reason)s"),
                user=user.username,
                role=str(Membership.Role(role).label),
                project=project.name,
                reason=check.reason,
            )
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(
            project=project, user=user, role=role
        )
        if created:
            audit_record(
                actor=added_by,
                action="membership.added",
                target=f"user:{user.pk}",
                project=project,
                role=role,
            )
    return membership


def membership_remove(*, membership: Membership, removed_by: User) -> None:
    audit_record(
        actor=removed_by,
        action="membership.removed",
        target=f"user:{membership.user_id}",
        project=membership.project,
        role=membership.role,
    )
    membership.delete()
