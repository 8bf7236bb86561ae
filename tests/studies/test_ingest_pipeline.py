"""Upload to ready through the real API, a real Celery worker, PostgreSQL and Redis."""

import nibabel as nib
import numpy as np
import pytest

from annotation_platform.core.models import Job
from annotation_platform.studies.models import Series, Study, Upload
from tests.conftest import wait_for_jobs
from tests.studies.helpers import upload_files

pytestmark = pytest.mark.worker


def _volume(series: Series):
    from annotation_platform.core.storage import local_path, object_storage

    with local_path(object_storage(), series.aligned_key or series.volume_key, ".nii.gz") as path:
        image = nib.load(str(path))
        return image.shape, image.affine, np.asanyarray(image.dataobj)


def test_brats_case_becomes_ready_on_its_own_grid(worker, project, admin_client, data_dir):
    folder = data_dir / "brats-like" / "BraTS-GLI-00001-000"
    paths = sorted(folder.glob("*.nii.gz"))

    response = upload_files(
        admin_client, project.pk, paths, names=[f"{folder.name}/{p.name}" for p in paths]
    )

    assert response.status_code == 201, response.content
    wait_for_jobs()
    study = Study.objects.get(project=project)
    assert study.status == Study.Status.READY
    assert study.missing_sequences == []
    assert study.grid["shape"] == [240, 240, 155]
    sequences = {s.sequence for s in study.series.all() if s.selected}
    assert sequences == {"T1", "T1c", "T2", "FLAIR"}
    for series in study.series.all():
        assert series.aligned_key == series.volume_key  # already on one grid: untouched
        assert series.thumbnail_key
        assert study.alignment[str(series.pk)]["mode"] in {"reference", "identity"}
    assert study.reference_series.sequence == "T1c"
    assert not Upload.objects.get().summary.get("skipped")


def test_philips_dicom_series_is_deidentified_and_converted(
    worker, project, admin_client, data_dir
):
    folder = data_dir / "dicom/philips/ingenia_elition_sag3d_t1_mprage_series1301/dicom_classic"
    paths = sorted(folder.glob("*.dcm.gz"))

    response = upload_files(admin_client, project.pk, paths)

    assert response.status_code == 201, response.content
    wait_for_jobs()
    study = Study.objects.get(project=project)
    series = study.series.get()
    assert series.status == Series.Status.CONVERTED
    assert series.sequence == "T1"
    assert series.file_count == 170
    assert series.instances.count() == 170
    assert study.status == Study.Status.INCOMPLETE
    assert study.missing_sequences == ["T1c", "T2", "FLAIR"]
    assert study.deidentification["files"] == 170
    assert "113100" in study.deidentification["method_codes"]
    assert study.patient.pseudonym == "GLI0001"
    shape, affine, data = _volume(series)
    assert sorted(shape) == [170, 256, 256]
    assert np.allclose(np.abs(np.diag(affine)[:3]), 1.0, atol=1e-3) or np.allclose(
        sorted(np.linalg.norm(affine[:3, :3], axis=0)), [1.0, 1.0, 1.0], atol=1e-3
    )
    assert data.any()


def test_raw_files_leave_quarantine_after_ingest(worker, project, admin_client, data_dir):
    from annotation_platform.core.storage import quarantine_storage

    path = data_dir / "charset" / "chrX2.dcm"
    response = upload_files(admin_client, project.pk, [path])
    assert response.status_code == 201
    upload = Upload.objects.get()
    assert (
        quarantine_storage().exists(upload.quarantine_prefix + "manifest.json")
        or upload.state == "done"
    )

    wait_for_jobs()

    upload.refresh_from_db()
    assert upload.state == Upload.State.DONE
    assert not quarantine_storage().exists(upload.quarantine_prefix + "manifest.json")


def test_tcga_sequences_are_coregistered_to_t1c(worker, project, admin_client, data_dir):
    folder = data_dir / "brats-like" / "TCGA-FG-6692"
    paths = sorted(p for p in folder.iterdir() if p.is_file())

    response = upload_files(admin_client, project.pk, paths, subject="TCGA-FG-6692")

    assert response.status_code == 201, response.content
    wait_for_jobs(timeout_s=300)
    study = Study.objects.get(project=project)
    assert study.status == Study.Status.READY
    reference = study.reference_series
    assert reference.sequence == "T1c"
    assert study.grid["shape"] == reference.geometry["shape"]
    modes = {
        study.alignment[str(s.pk)]["sequence"]: study.alignment[str(s.pk)]["mode"]
        for s in study.series.all()
    }
    assert modes == {"T1c": "reference", "T1": "rigid", "T2": "rigid", "FLAIR": "rigid"}
    reference_shape, reference_affine, _ = _volume(reference)
    for series in study.series.exclude(pk=reference.pk):
        shape, affine, _ = _volume(series)
        assert shape == reference_shape
        assert np.allclose(affine, reference_affine, atol=1e-4)
        assert "transform" in study.alignment[str(series.pk)]


def test_missing_slice_fails_the_series_with_the_gap(worker, project, admin_client, cases_dir):
    paths = sorted((cases_dir / "C05" / "dicom").glob("*.dcm"))

    response = upload_files(admin_client, project.pk, paths)

    assert response.status_code == 201
    wait_for_jobs()
    series = Series.objects.get()
    assert series.status == Series.Status.FAILED
    assert series.error["code"] == "NONUNIFORM_SLICE_SPACING"
    assert series.volume_key == ""
    job = Job.objects.get(kind="convert")
    assert job.state == Job.State.FAILED
    assert job.error["code"] == "NONUNIFORM_SLICE_SPACING"
    page = admin_client.get(f"/studies/{series.study_id}/")
    assert b"6.0" in page.content  # the gap is shown on the study page


def test_chinese_charset_files_are_all_accepted(worker, project, admin_client, cases_dir):
    paths = sorted((cases_dir / "C22").glob("*.dcm"))

    response = upload_files(admin_client, project.pk, paths)

    assert response.status_code == 201, response.content
    wait_for_jobs()
    upload = Upload.objects.get()
    assert upload.state == Upload.State.DONE
    assert upload.summary["dicom_files"] == 6
    assert upload.summary["skipped"] == 0
