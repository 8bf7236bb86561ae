"""Keyed hashes that turn source identities into pseudonyms, UIDs and date shifts.

Every value is derived from DEID_SECRET and the project, so the same source patient gets the same
pseudonym and date shift in every upload of a project, and UIDs stay consistent across files and
uploads (references between files still resolve). Nothing here stores a source value.
"""

import hashlib
import hmac

from django.conf import settings
from django.db import IntegrityError, transaction

from annotation_platform.projects.models import Project
from annotation_platform.studies.models import Patient

# Dates move back by 1 to 10 years: far enough that the shifted date reveals nothing, near enough
# that the calendar season and ageing effects stay roughly plausible.
DATE_SHIFT_MIN_DAYS = 366
DATE_SHIFT_SPAN_DAYS = 3285


def project_key(project: Project) -> bytes:
    """The project's secret: separate projects never share pseudonyms or replacement UIDs."""
    return hmac.new(
        str(settings.DEID_SECRET).encode("utf-8"), project.uuid.bytes, hashlib.sha256
    ).digest()


def keyed_hash(project: Project, purpose: str, value: str) -> str:
    message = f"{purpose}\x00{value}".encode()
    return hmac.new(project_key(project), message, hashlib.sha256).hexdigest()


def normalise_patient_key(value: str) -> str:
    return " ".join(value.split()).upper()


def date_shift_days(project: Project, patient_key: str) -> int:
    """The patient's date offset in days (negative: dates move into the past)."""
    digest = keyed_hash(project, "date-shift", normalise_patient_key(patient_key))
    return -(DATE_SHIFT_MIN_DAYS + int(digest[:8], 16) % DATE_SHIFT_SPAN_DAYS)


def derived_uid(project: Project, purpose: str, value: str) -> str:
    """A DICOM UID under the 2.25 root (PS3.5 B.2) from a keyed hash of `value`."""
    digest = keyed_hash(project, purpose, value)
    return "2.25." + str(int(digest[:32], 16))


def patient_for_source(project: Project, patient_key: str) -> Patient:
    """Return the project's patient for a source identity; a new one gets the next pseudonym."""
    source_hash = keyed_hash(project, "patient", normalise_patient_key(patient_key))
    existing = Patient.objects.filter(project=project, source_hash=source_hash).first()
    if existing is not None:
        return existing
    for _ in range(5):
        try:
            with transaction.atomic():
                # Lock the project row so that concurrent uploads number patients one at a time.
                Project.objects.select_for_update().get(pk=project.pk)
                existing = Patient.objects.filter(project=project, source_hash=source_hash).first()
                if existing is not None:
                    return existing
                number = Patient.objects.filter(project=project).count() + 1
                return Patient.objects.create(
                    project=project,
                    pseudonym=f"{project.pseudonym_prefix}{number:04d}",
                    source_hash=source_hash,
                )
        except IntegrityError:
            continue
    raise RuntimeError(f"could not allocate a pseudonym in project {project.pk}")
