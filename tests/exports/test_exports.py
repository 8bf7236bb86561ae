"""Exports of approved cases: names, label values per convention, manifest, geometry."""

import gzip
import io
import json
import zipfile

import nibabel as nib
import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from annotation_platform.annotations.services import case_ensure_for_study
from annotation_platform.core.models import AuditEvent, Job
from annotation_platform.exports.models import Export
from tests.annotations.conftest import make_ready_study
from tests.conftest import wait_for_jobs
from tests.exports.helpers import approve


def _approved_case(project, cases_dir, annotator, reviewer, client, label="GLI0003"):
    image = cases_dir / "C12" / "image_t1c.nii.gz"
    case = case_ensure_for_study(make_ready_study(project, cases_dir, label, image_path=image))
    case.assignee = annotator
    case.save()
    client = Client()  # its own session: the admin's client stays logged in as the admin
    client.force_login(annotator)
    mask = cases_dir / "C12" / "seg_brats2021_labels_1_2_4.nii.gz"
    response = client.post(
        f"/api/v1/cases/{case.pk}/masks/import/",
        {"file": SimpleUploadedFile(mask.name, mask.read_bytes()), "convention": "brats-2017-2021"},
    )
    assert response.status_code == 201, response.content
    return approve(case, annotator, reviewer)


def _zip(admin_client, export_id) -> zipfile.ZipFile:
    response = admin_client.get(f"/api/v1/exports/{export_id}/download/")
    assert response.status_code == 200
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def _nifti(archive: zipfile.ZipFile, name: str) -> nib.Nifti1Image:
    return nib.Nifti1Image.from_bytes(gzip.decompress(archive.read(name)))


@pytest.mark.worker
@pytest.mark.parametrize(("convention", "et_value"), [("brats-2017-2021", 4), ("brats-2023", 3)])
def test_brats_export_uses_the_chosen_convention(
    worker, project, cases_dir, annotator, reviewer, client, admin_client, convention, et_value
):
    case = _approved_case(project, cases_dir, annotator, reviewer, client)

    response = admin_client.post(
        f"/api/v1/projects/{project.pk}/exports/",
        {"format": "brats", "convention": convention},
        content_type="application/json",
    )

    assert response.status_code == 202, response.content
    wait_for_jobs("export:")
    export = Export.objects.get()
    assert Job.objects.get(group=export.job_group).state == Job.State.SUCCEEDED
    archive = _zip(admin_client, export.pk)
    names = archive.namelist()
    seg = next(name for name in names if name.endswith("-seg.nii.gz"))
    labels = np.asanyarray(_nifti(archive, seg).dataobj)
    assert {
        int(v): int(c) for v, c in zip(*np.unique(labels, return_counts=True), strict=True)
    } == {
        0: labels.size - 1565,
        1: 71,
        2: 1110,
        et_value: 384,
    }
    image = nib.load(str(cases_dir / "C12" / "image_t1c.nii.gz"))
    assert np.allclose(_nifti(archive, seg).affine, image.affine, atol=1e-3)
    for suffix in ("t1n", "t1c", "t2w", "t2f"):
        assert any(name.endswith(f"-{suffix}.nii.gz") for name in names)
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["label_convention"] == convention
    assert manifest["label_values"]["ET"] == et_value
    assert manifest["ethics_approval"]["number"] == project.irb_number
    entry = manifest["cases"][0]
    assert entry["patient_id"] == case.label
    assert entry["annotator"] == annotator.username
    assert entry["reviewer"] == reviewer.username
    assert entry["mask_version"] == case.approved_version.number
    assert entry["mask_checksum_sha256"] == case.approved_version.checksum
    assert entry["protocol"] == "cns-tumour 1.0.0"
    assert set(entry["files"]) <= set(names)
    assert AuditEvent.objects.filter(action="export.downloaded").exists()


@pytest.mark.worker
def test_nifti_export_names_files_by_the_protocol_pattern(
    worker, project, cases_dir, annotator, reviewer, client, admin_client
):
    case = _approved_case(project, cases_dir, annotator, reviewer, client)
    admin_client.post(
        f"/api/v1/projects/{project.pk}/exports/",
        {"format": "nifti", "convention": "brats-2023"},
        content_type="application/json",
    )
    wait_for_jobs("export:")

    archive = _zip(admin_client, Export.objects.get().pk)

    names = set(archive.namelist())
    for region, sequence in (("WT", "FLAIR"), ("TC", "T2"), ("ET", "T1c")):
        name = f"{case.label}/{case.label}_{sequence}_{region}.nii.gz"
        assert name in names, sorted(names)
        image = _nifti(archive, name)
        assert np.array_equal(image.get_qform(), image.get_sform())
    wt = np.asanyarray(_nifti(archive, f"{case.label}/{case.label}_FLAIR_WT.nii.gz").dataobj)
    assert int(wt.sum()) == 1565


@pytest.mark.worker
def test_nnunet_export_has_region_labels(
    worker, project, cases_dir, annotator, reviewer, client, admin_client
):
    _approved_case(project, cases_dir, annotator, reviewer, client)
    admin_client.post(
        f"/api/v1/projects/{project.pk}/exports/",
        {"format": "nnunet", "convention": "brats-2023"},
        content_type="application/json",
    )
    wait_for_jobs("export:")

    archive = _zip(admin_client, Export.objects.get().pk)

    dataset = json.loads(archive.read("dataset.json"))
    assert dataset["labels"]["whole tumor"] == [1, 2, 3]
    assert dataset["numTraining"] == 1
    assert sum(name.startswith("imagesTr/") for name in archive.namelist()) == 4
    assert sum(name.startswith("labelsTr/") for name in archive.namelist()) == 1


@pytest.mark.django_db
def test_export_without_approved_cases_is_refused(project, admin_client, ready_case):
    response = admin_client.post(
        f"/api/v1/projects/{project.pk}/exports/",
        {"format": "nifti", "convention": "brats-2023"},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "EXPORT_NOTHING_TO_EXPORT"


@pytest.mark.django_db
def test_export_command_writes_a_folder(project, cases_dir, annotator, reviewer, client, tmp_path):
    case = _approved_case(project, cases_dir, annotator, reviewer, client)

    call_command(
        "export_cases", "--project", project.name, "--format", "nifti", "--out", str(tmp_path)
    )

    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["cases"][0]["patient_id"] == case.label
    assert (tmp_path / case.label / f"{case.label}_FLAIR_WT.nii.gz").is_file()


@pytest.mark.django_db
def test_round_trip_import_export_import_is_identical(
    project, cases_dir, annotator, reviewer, client, tmp_path
):
    case = _approved_case(project, cases_dir, annotator, reviewer, client)
    call_command(
        "export_cases",
        "--project",
        project.name,
        "--format",
        "nifti",
        "--out",
        str(tmp_path),
        "--convention",
        "brats-2017-2021",
    )
    label_map = next(tmp_path.rglob("*brats-2017-2021*.nii.gz"))
    first = case.approved_version
    other = case_ensure_for_study(
        make_ready_study(
            project, cases_dir, "GLI0009", image_path=cases_dir / "C12" / "image_t1c.nii.gz"
        )
    )
    other.assignee = annotator
    other.save()
    client.force_login(annotator)

    response = client.post(
        f"/api/v1/cases/{other.pk}/masks/import/",
        {
            "file": SimpleUploadedFile(label_map.name, label_map.read_bytes()),
            "convention": "brats-2017-2021",
        },
    )

    assert response.status_code == 201, response.content
    assert response.json()["version"]["checksum"] == first.checksum
    exported = nib.load(str(label_map))
    assert np.allclose(
        exported.affine, nib.load(str(cases_dir / "C12" / "image_t1c.nii.gz")).affine, atol=1e-4
    )
