"""Bad uploads get one clear error naming each file at fault, and nothing is stored."""

import gzip
import io
import zipfile
from datetime import timedelta
from pathlib import Path

import nibabel as nib
import numpy as np
import pydicom
import pytest
from django.conf import settings
from django.utils import timezone
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

from annotation_platform.core.models import Job
from annotation_platform.studies.models import Upload
from tests.studies.helpers import upload_files


def _quarantine_files() -> set[Path]:
    return {path for path in (Path(settings.DATA_DIR) / "quarantine").rglob("*") if path.is_file()}


@pytest.fixture
def quarantine_before() -> set[Path]:
    """Files in quarantine before the test: storage keeps earlier tests' files (no rollback)."""
    return _quarantine_files()


def _nothing_stored(quarantine_before: set[Path]) -> None:
    assert Upload.objects.count() == 0
    assert Job.objects.count() == 0
    assert _quarantine_files() == quarantine_before


def _problem_names(response) -> list[str]:
    return [problem["name"] for problem in response.json()["params"]["problems"]]


@pytest.mark.django_db
def test_zip_with_traversal_entries_is_rejected_whole(
    quarantine_before, project, admin_client, cases_dir
):
    response = upload_files(
        admin_client, project.pk, [cases_dir / "C23" / "upload_path_traversal.zip"]
    )

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "UPLOAD_REJECTED"
    codes = {problem["code"] for problem in body["params"]["problems"]}
    assert codes == {"UNSAFE_ARCHIVE_ENTRY"}
    listed = " ".join(
        problem["message"] + problem["name"] for problem in body["params"]["problems"]
    )
    for entry in [
        "../../qa_zip_slip_parent.txt",
        "/tmp/qa_zip_slip_absolute.txt",
        "qa_zip_slip_backslash.txt",
        "study/link_to_passwd",
        "study/C:/qa_zip_slip_drive.txt",
    ]:
        assert entry in listed or entry in str(body["params"])
    _nothing_stored(quarantine_before)
    assert not list(Path(settings.BASE_DIR).parent.glob("qa_zip_slip_*"))
    assert not list(Path("/tmp").glob("qa_zip_slip_*"))


@pytest.mark.django_db
def test_zip_with_duplicate_entries_is_rejected(
    quarantine_before, project, admin_client, cases_dir
):
    response = upload_files(
        admin_client, project.pk, [cases_dir / "C23" / "upload_duplicate_names.zip"]
    )

    assert response.status_code == 400
    assert {p["code"] for p in response.json()["params"]["problems"]} == {"DUPLICATE_ARCHIVE_ENTRY"}
    _nothing_stored(quarantine_before)


@pytest.mark.django_db
def test_clean_zip_is_accepted(project, admin_client, cases_dir):
    response = upload_files(
        admin_client, project.pk, [cases_dir / "C23" / "upload_clean_control.zip"]
    )

    assert response.status_code == 201, response.content
    upload = Upload.objects.get()
    assert upload.file_count == 2
    assert Job.objects.get().kind == "ingest"


@pytest.mark.django_db
def test_zip_bomb_is_rejected_before_inflating(quarantine_before, project, admin_client, tmp_path):
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("study/IM0001.dcm", b"\0" * (64 * 1024 * 1024))

    response = upload_files(admin_client, project.pk, [bomb])

    assert response.status_code == 400
    codes = {p["code"] for p in response.json()["params"]["problems"]}
    assert codes & {"ARCHIVE_RATIO_TOO_HIGH", "ARCHIVE_TOO_LARGE"}
    _nothing_stored(quarantine_before)


@pytest.mark.django_db
def test_gzip_bomb_is_rejected(quarantine_before, project, admin_client, tmp_path):
    bomb = tmp_path / "IM0001.dcm.gz"
    # A DICOM header that a sniffer accepts, then 64 MiB of zeros: about 65 KiB compressed.
    bomb.write_bytes(gzip.compress(_dicom_bytes() + b"\0" * (64 * 1024 * 1024)))

    response = upload_files(admin_client, project.pk, [bomb])

    assert response.status_code == 400
    assert {p["code"] for p in response.json()["params"]["problems"]} & {
        "GZIP_RATIO_TOO_HIGH",
        "GZIP_TOO_LARGE",
    }
    _nothing_stored(quarantine_before)


def _dicom_bytes(*, image: bool = True) -> bytes:
    meta = FileMetaDataset()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    dataset = Dataset()
    dataset.file_meta = meta
    dataset.SOPInstanceUID = generate_uid()
    meta.MediaStorageSOPInstanceUID = dataset.SOPInstanceUID
    dataset.PatientName = "Truncated^Person"
    if image:
        dataset.SOPClassUID = pydicom.uid.MRImageStorage
        dataset.Rows = dataset.Columns = 64
        dataset.BitsAllocated = dataset.BitsStored = 16
        dataset.HighBit = 15
        dataset.SamplesPerPixel = 1
        dataset.PixelRepresentation = 0
        dataset.PhotometricInterpretation = "MONOCHROME2"
        dataset.PixelData = np.zeros((64, 64), np.uint16).tobytes()
    else:
        dataset.SOPClassUID = "1.2.840.10008.5.1.4.1.1.88.22"  # Enhanced SR
    meta.MediaStorageSOPClassUID = dataset.SOPClassUID
    buffer = io.BytesIO()
    dataset.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


@pytest.mark.django_db
def test_truncated_and_non_image_dicom_are_named(
    quarantine_before, project, admin_client, tmp_path
):
    truncated = tmp_path / "IM_truncated.dcm"
    truncated.write_bytes(_dicom_bytes()[:-3000])
    report = tmp_path / "report.dcm"
    report.write_bytes(_dicom_bytes(image=False))
    text = tmp_path / "notes.txt"
    text.write_text("not an image")
    good = tmp_path / "IM_good.dcm"
    good.write_bytes(_dicom_bytes())

    response = upload_files(admin_client, project.pk, [truncated, report, text, good])

    assert response.status_code == 400
    problems = {p["name"]: p["code"] for p in response.json()["params"]["problems"]}
    assert problems["IM_truncated.dcm"] == "DICOM_TRUNCATED"
    assert problems["report.dcm"] == "DICOM_NOT_AN_IMAGE"
    assert problems["notes.txt"] == "UNSUPPORTED_FILE"
    assert "IM_good.dcm" not in problems
    _nothing_stored(quarantine_before)


@pytest.mark.django_db
def test_nifti_with_absurd_dimensions_is_rejected_before_allocation(
    quarantine_before, project, admin_client, tmp_path
):
    header = nib.Nifti1Header()
    header.set_data_dtype(np.int16)
    header.set_data_shape((4096, 4096, 4096))
    path = tmp_path / "huge.nii"
    with path.open("wb") as handle:
        header.write_to(handle)
        handle.write(b"\0" * 1024)

    response = upload_files(admin_client, project.pk, [path])

    assert response.status_code == 400
    assert _problem_names(response) == ["huge.nii"]
    assert response.json()["params"]["problems"][0]["code"] == "NIFTI_TOO_LARGE"
    _nothing_stored(quarantine_before)


@pytest.mark.django_db
def test_empty_upload_is_rejected(quarantine_before, project, admin_client, tmp_path):
    empty = tmp_path / "empty.dcm"
    empty.write_bytes(b"")

    response = upload_files(admin_client, project.pk, [empty])

    assert response.status_code == 400
    assert response.json()["code"] == "UPLOAD_EMPTY"
    _nothing_stored(quarantine_before)


@pytest.mark.django_db
def test_upload_over_the_size_limit_is_refused_before_reading(
    quarantine_before, project, admin_client, tmp_path, settings
):
    settings.UPLOAD_MAX_BYTES = 1000
    path = tmp_path / "big.dcm"
    path.write_bytes(_dicom_bytes())

    response = upload_files(admin_client, project.pk, [path])

    assert response.status_code == 413
    body = response.json()
    assert body["code"] == "UPLOAD_TOO_LARGE"
    assert "import_studies" in body["detail"]
    _nothing_stored(quarantine_before)


@pytest.mark.django_db
def test_upload_without_ethics_approval_is_refused(
    quarantine_before, project, admin_client, data_dir
):
    project.irb_number = ""
    project.save()

    response = upload_files(admin_client, project.pk, [data_dir / "charset" / "chrX2.dcm"])

    assert response.status_code == 400
    assert response.json()["code"] == "IRB_APPROVAL_MISSING"
    assert project.name in response.json()["detail"]
    _nothing_stored(quarantine_before)


@pytest.mark.django_db
def test_upload_after_approval_expired_is_refused(
    quarantine_before, project, admin_client, data_dir
):
    project.irb_valid_until = timezone.localdate() - timedelta(days=1)
    project.save()

    response = upload_files(admin_client, project.pk, [data_dir / "charset" / "chrX2.dcm"])

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "IRB_APPROVAL_EXPIRED"
    assert str(project.irb_valid_until) in body["detail"]
    _nothing_stored(quarantine_before)


@pytest.mark.django_db
def test_annotator_cannot_upload(quarantine_before, project, client, annotator, data_dir):
    client.force_login(annotator)

    response = upload_files(client, project.pk, [data_dir / "charset" / "chrX2.dcm"])

    assert response.status_code == 403
    _nothing_stored(quarantine_before)


@pytest.mark.django_db
def test_quarantine_is_served_by_no_url(project, admin_client, data_dir):
    response = upload_files(admin_client, project.pk, [data_dir / "charset" / "chrX2.dcm"])
    assert response.status_code == 201
    upload = Upload.objects.get()
    key = f"{upload.quarantine_prefix}000000.dcm"

    for url in [f"/media/{key}", f"/quarantine/{key}", f"/static/{key}", f"/{key}"]:
        assert admin_client.get(url).status_code == 404
