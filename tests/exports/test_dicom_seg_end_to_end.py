"""C01 through the whole platform: the DICOM series is uploaded, de-identified and converted,
the mask is imported in another voxel order, approved, and exported as DICOM SEG that references
the de-identified series; the necrosis lands on the pixels the case expects."""

import io
import json
import zipfile

import highdicom as hd
import numpy as np
import pydicom
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from annotation_platform.annotations.services import case_ensure_for_study
from annotation_platform.core.storage import object_storage
from annotation_platform.exports.models import Export
from annotation_platform.studies.models import Series, Study
from tests.conftest import wait_for_jobs
from tests.exports.helpers import approve
from tests.studies.helpers import upload_files

pytestmark = pytest.mark.worker


def _as_t1c_case(study: Study, annotator):
    """C01 is one T1 series; for this test it stands as the reference sequence of a case."""
    series = study.series.get()
    Series.objects.filter(pk=series.pk).update(
        sequence="T1c", selected=True, aligned_key=series.volume_key, quality_grade=3
    )
    study.reference_series = series
    study.grid = series.geometry
    study.status = Study.Status.READY
    study.save()
    case = case_ensure_for_study(study)
    case.assignee = annotator
    case.save()
    return case


def test_c01_dicom_seg_export(worker, project, admin_client, annotator, reviewer, cases_dir):
    paths = sorted((cases_dir / "C01" / "dicom").glob("*.dcm"))
    assert upload_files(admin_client, project.pk, paths).status_code == 201
    wait_for_jobs()
    case = _as_t1c_case(Study.objects.get(project=project), annotator)
    annotator_client = Client()
    annotator_client.force_login(annotator)
    mask = cases_dir / "C01" / "mask_las.nii.gz"
    imported = annotator_client.post(
        f"/api/v1/cases/{case.pk}/masks/import/",
        {"file": SimpleUploadedFile(mask.name, mask.read_bytes()), "convention": "brats-2023"},
    )
    assert imported.status_code == 201, imported.content
    approve(case, annotator, reviewer)

    response = admin_client.post(
        f"/api/v1/projects/{project.pk}/exports/",
        {"format": "dicom-seg", "convention": "brats-2023"},
        content_type="application/json",
    )
    assert response.status_code == 202, response.content
    wait_for_jobs("export:")

    download = admin_client.get(f"/api/v1/exports/{Export.objects.get().pk}/download/")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    seg_name = next(name for name in archive.namelist() if name.endswith(".dcm"))
    segmentation = hd.seg.segread(io.BytesIO(archive.read(seg_name)))
    storage = object_storage()
    instances = {}
    for key, number in case.study.series.get().instances.values_list(
        "object_key", "instance_number"
    ):
        with storage.open(key, "rb") as handle:
            instances[pydicom.dcmread(handle, stop_before_pixels=True).SOPInstanceUID] = number
    core = {int(label.SegmentNumber): label.SegmentLabel for label in segmentation.SegmentSequence}
    tumour_core = next(number for number, label in core.items() if "TC" in label)
    frames = {}
    for index, group in enumerate(segmentation.PerFrameFunctionalGroupsSequence):
        if int(group.SegmentIdentificationSequence[0].ReferencedSegmentNumber) != tumour_core:
            continue
        source = group.DerivationImageSequence[0].SourceImageSequence[0]
        frame = segmentation.pixel_array[index]
        if frame.any():
            frames[instances[source.ReferencedSOPInstanceUID]] = frame
    expected = json.loads((cases_dir / "C01" / "expected.json").read_text())["expected"]
    where = expected["dicom_seg_export_for_dicom_series"]
    assert sorted(frames) == where["NCR_present_on_slices_instance_numbers"]
    for frame in frames.values():
        rows, columns = np.nonzero(frame)
        assert sorted(set(rows.tolist())) == where["NCR_pixel_rows"]
        assert sorted(set(columns.tolist())) == where["NCR_pixel_cols"]
    # The SEG references the de-identified series, never the uploaded UIDs.
    uploaded = {pydicom.dcmread(path, stop_before_pixels=True).SOPInstanceUID for path in paths}
    assert not uploaded & set(instances)
