"""No identifying value may reach the database, object keys, stored files, NIfTI headers, API
responses, pages or logs. Canaries are planted in every kind of DICOM field and NIfTI header
field and in the uploaded file names, the upload goes through the real pipeline, and then every
place the platform writes is searched for them."""

import gzip
import io
import json
import zlib
from pathlib import Path

import nibabel as nib
import numpy as np
import pydicom
import pytest
from django.apps import apps
from django.conf import settings
from pydicom.uid import generate_uid

from annotation_platform.studies.models import Series, Study, Upload
from tests.conftest import wait_for_jobs
from tests.imaging.test_deid_canary import _plant_table_rows
from tests.imaging.test_series_synthetic import stack_positions, write_stack
from tests.studies.helpers import upload_files

pytestmark = pytest.mark.worker

FILE_NAME_CANARY = "CNRYFILENAME"
NIFTI_CANARIES = [b"CNRYDESCRIP", b"CNRYAUXFILE", b"CNRYINTENT", b"CNRYEXTENSION"]


def _canary_series(folder: Path) -> tuple[list[Path], list[bytes]]:
    """Twelve axial slices, each with canaries planted in every table row and private block."""
    paths = write_stack(folder, stack_positions(12, spacing_mm=3.0), rows=32, columns=32)
    study_uid, series_uid = generate_uid(), generate_uid()
    needles: set[bytes] = set()
    renamed = []
    for index, path in enumerate(paths):
        dataset = pydicom.dcmread(path)
        planted = _plant_table_rows(dataset)
        needles.update(needle for _, needle in planted)
        dataset.PatientName = "CNRYPATIENT^Qzname=金丝雀^测试"
        dataset.PatientID = "CNRYPID-0001"
        dataset.SpecificCharacterSet = "ISO_IR 192"
        dataset.SeriesDescription = "T1 AX CNRYPATIENT"
        block = dataset.private_block(0x0019, "CNRY PRIVATE", create=True)
        block.add_new(0x01, "LO", "CNRYPRIVATEVALUE")
        # The planted UIDs are equal in every file; each slice needs its own instance.
        dataset.StudyInstanceUID = study_uid
        dataset.SeriesInstanceUID = series_uid
        dataset.SOPInstanceUID = generate_uid()
        dataset.file_meta.MediaStorageSOPInstanceUID = dataset.SOPInstanceUID
        dataset.ImagePositionPatient = [-8.0, -8.0, -15.0 + 3.0 * index]
        target = folder / f"{FILE_NAME_CANARY}_{index:02d}.dcm"
        dataset.save_as(target, enforce_file_format=True)
        path.unlink()
        renamed.append(target)
    needles.update({b"CNRYPATIENT", "金丝雀".encode(), b"CNRYPID-0001", b"CNRYPRIVATEVALUE"})
    needles.update({study_uid.encode(), series_uid.encode()})
    return renamed, sorted(needles)


def _canary_nifti(folder: Path) -> Path:
    image = nib.Nifti1Image(np.arange(20 * 20 * 10, dtype=np.int16).reshape(20, 20, 10), np.eye(4))
    image.header["descrip"] = b"CNRYDESCRIP"
    image.header["aux_file"] = b"CNRYAUXFILE"
    image.header["intent_name"] = b"CNRYINTENT"
    image.header.extensions.append(nib.nifti1.Nifti1Extension(6, b"CNRYEXTENSION comment"))
    path = folder / f"{FILE_NAME_CANARY}_t1c.nii.gz"
    nib.save(image, path)
    return path


def _haystacks_from_storage(root: Path) -> list[tuple[str, bytes]]:
    found = []
    for path in root.rglob("*"):
        found.append((f"name {path}", str(path.relative_to(root)).encode()))
        if path.is_file():
            data = path.read_bytes()
            found.append((str(path), data))
            if data[:2] == b"\x1f\x8b":
                found.append((f"{path} (inflated)", gzip.decompress(data)))
    return found


def _haystacks_from_database() -> list[tuple[str, bytes]]:
    found = []
    for model in apps.get_models():
        for row in model.objects.all().values():
            found.append(
                (model.__name__, json.dumps(row, default=str, ensure_ascii=False).encode())
            )
    return found


def _search(haystacks: list[tuple[str, bytes]], needles: list[bytes]) -> list[str]:
    leaks = []
    for where, data in haystacks:
        lowered = data.lower()
        for needle in needles:
            if needle.lower() in lowered:
                leaks.append(f"{needle!r} in {where}")
    return leaks


def test_no_canary_reaches_any_output(worker, project, admin_client, tmp_path, caplog):
    dicom_paths, needles = _canary_series(tmp_path / "dicom")
    nifti_path = _canary_nifti(tmp_path)
    needles = needles + NIFTI_CANARIES + [FILE_NAME_CANARY.encode()]
    # The search finds what was planted: every input holds its canaries before the upload.
    assert len(needles) > 300
    assert len(_search([("input", dicom_paths[0].read_bytes())], needles)) > 300
    assert _search([("input", gzip.decompress(nifti_path.read_bytes()))], NIFTI_CANARIES)

    dicom_response = upload_files(
        admin_client,
        project.pk,
        dicom_paths,
        names=[f"{FILE_NAME_CANARY}/{p.name}" for p in dicom_paths],
    )
    nifti_response = upload_files(
        admin_client, project.pk, [nifti_path], subject=f"{FILE_NAME_CANARY}-case"
    )
    assert dicom_response.status_code == 201, dicom_response.content
    assert nifti_response.status_code == 201, nifti_response.content
    wait_for_jobs()

    # The pipeline really ran: the series was de-identified, converted and has a thumbnail.
    dicom_series = Series.objects.get(source_kind=Series.SourceKind.DICOM)
    assert dicom_series.status == Series.Status.CONVERTED, dicom_series.error
    assert dicom_series.thumbnail_key
    assert Upload.objects.filter(state=Upload.State.DONE).count() == 2

    haystacks = _haystacks_from_database()
    haystacks += _haystacks_from_storage(Path(settings.DATA_DIR) / "objects")
    quarantine = Path(settings.DATA_DIR) / "quarantine"
    for upload in Upload.objects.all():
        left = [p for p in (quarantine / upload.quarantine_prefix).rglob("*") if p.is_file()]
        assert left == [], "raw files left in quarantine"
    for log in Path(settings.DATA_DIR).glob("worker*.log"):
        haystacks.append((str(log), log.read_bytes()))
    haystacks.append(("web log", caplog.text.encode()))
    for url in (
        ["/api/v1/studies/", "/api/v1/uploads/", "/studies/"]
        + [f"/api/v1/studies/{study.pk}/" for study in Study.objects.all()]
        + [f"/studies/{study.pk}/" for study in Study.objects.all()]
    ):
        haystacks.append((url, admin_client.get(url).content))

    leaks = _search(haystacks, needles)

    assert leaks == []


def test_stored_nifti_headers_have_no_free_text(worker, project, admin_client, tmp_path):
    path = _canary_nifti(tmp_path)
    response = upload_files(admin_client, project.pk, [path], subject="case-a")
    assert response.status_code == 201
    wait_for_jobs()
    series = Series.objects.get()
    from annotation_platform.core.storage import object_storage

    with object_storage().open(series.volume_key, "rb") as handle:
        raw = zlib.decompress(handle.read(), 16 + zlib.MAX_WBITS)
    header = nib.Nifti1Header.from_fileobj(io.BytesIO(raw))
    assert header["descrip"].item() == b""
    assert header["aux_file"].item() == b""
    assert header["intent_name"].item() == b""
    assert len(header.extensions) == 0
