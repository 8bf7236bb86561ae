"""A small ready case without running the ingest pipeline: the C25 FLAIR grid (32 x 32 x 16)
stands for all four sequences."""

import gzip
import hashlib

import nibabel as nib
import numpy as np
import pytest

from annotation_platform.annotations.models import Case
from annotation_platform.annotations.services import case_ensure_for_study
from annotation_platform.core.storage import object_storage, put_bytes
from annotation_platform.imaging.volumes import grid_of
from annotation_platform.studies.models import Patient, Series, Study

SEQUENCES = ("FLAIR", "T2", "T1c", "T1")


def make_ready_study(project, cases_dir, label: str = "GLI0001", image_path=None) -> Study:
    """A ready study whose four sequences are one image (the C25 FLAIR unless given)."""
    image_path = image_path or cases_dir / "C25" / "image_flair.nii.gz"
    data = image_path.read_bytes()
    key = f"volumes/{hashlib.sha256(data).hexdigest()}.nii.gz"
    put_bytes(object_storage(), key, data)
    grid = grid_of(image_path)
    patient = Patient.objects.create(project=project, pseudonym=label, source_hash=label)
    study = Study.objects.create(
        project=project,
        patient=patient,
        study_uid=f"2.25.{abs(hash(label))}",
        status=Study.Status.READY,
        grid=grid,
    )
    for number, sequence in enumerate(SEQUENCES, start=1):
        Series.objects.create(
            study=study,
            series_uid=f"2.25.{number}{abs(hash(label))}",
            source_kind="nifti",
            sequence=sequence,
            sequence_source="filename",
            sequence_confidence=0.9,
            selected=True,
            status=Series.Status.CONVERTED,
            volume_key=key,
            aligned_key=key,
            geometry=grid,
            quality_grade=3,
        )
    study.reference_series = study.series.get(sequence="T1c")
    study.save()
    return study


def assigned_case_on(project, cases_dir, annotator, image_path, label: str) -> Case:
    """A ready case whose four sequences are the image at `image_path`, assigned to `annotator`."""
    case = case_ensure_for_study(make_ready_study(project, cases_dir, label, image_path=image_path))
    case.assignee = annotator
    case.save()
    return case


@pytest.fixture
def ready_case(project, cases_dir, annotator) -> Case:
    study = make_ready_study(project, cases_dir)
    case = case_ensure_for_study(study)
    case.assignee = annotator
    case.save()
    return case


def label_map(cases_dir, name: str) -> np.ndarray:
    image = nib.load(str(cases_dir / "C25" / f"{name}.nii.gz"))
    return np.asanyarray(image.dataobj)


def brats2023_to_bitmask(labels: np.ndarray) -> np.ndarray:
    """NCR (1) -> WT|TC, ED (2) -> WT, ET (3) -> WT|TC|ET, as the CNS protocol's bits."""
    mask = np.zeros(labels.shape, dtype=np.uint8)
    mask[labels == 1] = 1 | 2
    mask[labels == 2] = 1
    mask[labels == 3] = 1 | 2 | 4
    return mask


def mask_payload(mask: np.ndarray) -> tuple[bytes, str]:
    """The viewer's save payload of a 3-D mask: gzip of the NIfTI-ordered bytes, and its SHA-256."""
    raw = np.asfortranarray(mask).tobytes(order="F")
    return gzip.compress(raw), hashlib.sha256(raw).hexdigest()


def save_mask(client, case, mask: np.ndarray, base_version=None, **extra):
    payload, checksum = mask_payload(mask)
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {
        "mask": SimpleUploadedFile("mask.bin.gz", payload, content_type="application/octet-stream"),
        "encoding": "gzip",
        "kind": "full",
        "checksum": checksum,
        "overrides": "[]",
        **extra,
    }
    if base_version is not None:
        data["base_version"] = base_version
    return client.post(f"/api/v1/cases/{case.pk}/masks/", data)
