"""De-identified files of every vendor series must convert exactly as the original files do.

The platform converts only de-identified files, so de-identification must keep what dcm2niix
needs (the Retain Safe Private option). Every file is de-identified with the real engine, and
the results are grouped and converted as the pipeline does. The output is compared with the
reference NIfTI files as `test_convert_reference` compares the original files' output: voxels
exactly through the array proxy, affines (qform and sform) to float tolerance.
"""

from pathlib import Path

import nibabel as nib
import numpy as np
import pydicom
import pytest
from nibabel.orientations import io_orientation, ornt_transform

from annotation_platform.imaging.convert import ConversionResult, convert_series
from annotation_platform.imaging.deid import DeidContext, DeidReport, deidentify_bytes
from annotation_platform.imaging.deid.safe_private import VENDOR_SAFE_PRIVATE
from annotation_platform.imaging.dicom_headers import read_headers
from annotation_platform.imaging.dicom_series import SeriesGroup, group_series
from tests.imaging.test_convert_reference import (
    MPRAGE,
    PCASL,
    REFERENCE_CASES,
    assert_same_image,
    dicom_inputs,
)

CONTEXT = DeidContext(b"deid-then-convert-secret-01", "GLI0009", -400)
UIH = "dicom/uih/umr770_dti_tra_dir16_AP_series9"


def _deidentify_all(sources: list[Path], folder: Path) -> list[DeidReport]:
    folder.mkdir(parents=True)
    reports = []
    for index, source in enumerate(sources):
        output, report = deidentify_bytes(source.read_bytes(), CONTEXT)
        (folder / f"{index:05d}.dcm").write_bytes(output)
        reports.append(report)
    return reports


def _volume_group(folder: Path) -> SeriesGroup:
    groups = [group for group in group_series(read_headers(folder)) if group.kind == "volume"]
    assert len(groups) == 1
    return groups[0]


def _convert_deidentified(
    sources: list[Path], tmp_path: Path
) -> tuple[ConversionResult, list[DeidReport]]:
    reports = _deidentify_all(sources, tmp_path / "deidentified")
    result = convert_series(_volume_group(tmp_path / "deidentified"), tmp_path / "out")
    return result, reports


def _unlisted_private_tags(folder: Path) -> list[str]:
    """Private data elements in the files that the allow-list does not name, at any depth."""
    unlisted: set[str] = set()
    for path in sorted(folder.iterdir()):
        _collect_unlisted(pydicom.dcmread(path, stop_before_pixels=True), unlisted)
    return sorted(unlisted)


def _collect_unlisted(dataset: pydicom.Dataset, unlisted: set[str]) -> None:
    for element in dataset:
        tag = element.tag
        if tag.is_private and not tag.is_private_creator:
            creator_tag = tag.group << 16 | tag.element >> 8
            creator = str(dataset[creator_tag].value) if creator_tag in dataset else ""
            if VENDOR_SAFE_PRIVATE.find(tag.group, creator, tag.element & 0xFF) is None:
                unlisted.add(f"{tag} {creator}")
        if element.VR == "SQ":
            for item in element.value:
                _collect_unlisted(item, unlisted)


@pytest.mark.parametrize(
    ("source", "reference"),
    [pytest.param(source, reference, id=case_id) for case_id, source, reference in REFERENCE_CASES],
)
def test_deidentified_series_converts_to_reference(
    source: str, reference: str, data_dir: Path, tmp_path: Path
) -> None:
    sources = dicom_inputs(data_dir / source, tmp_path / "unpacked")

    result, reports = _convert_deidentified(sources, tmp_path)

    assert_same_image(result, data_dir / reference)
    assert result.shape == nib.load(data_dir / reference).shape
    assert all("113111" in report.method_codes for report in reports)
    assert sum(report.safe_private_dropped for report in reports) == 0
    assert _unlisted_private_tags(tmp_path / "deidentified") == []


def test_deidentified_uih_dti_keeps_gradient_tables(data_dir: Path, tmp_path: Path) -> None:
    sources = dicom_inputs(data_dir / UIH / "dicom", tmp_path / "unpacked")

    result, _ = _convert_deidentified(sources, tmp_path)

    names = sorted(path.name for path in result.gradient_files)
    assert names == ["volume.bval", "volume.bvec"]
    reference = data_dir / UIH / "reference_nifti/dti_tra_dir16_AP_9_134431"
    written_bvals = (tmp_path / "out/volume.bval").read_text().split()
    assert written_bvals == reference.with_suffix(".bval").read_text().split()
    written_bvecs = np.loadtxt(tmp_path / "out/volume.bvec")
    assert np.allclose(written_bvecs, np.loadtxt(reference.with_suffix(".bvec")), atol=1e-5)
    assert result.geometry.volume_count == 17


@pytest.mark.parametrize(
    "source",
    [
        pytest.param(f"{MPRAGE}/dicom_classic", id="philips-mprage"),
        pytest.param(f"{PCASL}/dicom_classic", id="philips-classic"),
        pytest.param(f"{PCASL}/dicom_enhanced", id="philips-enhanced"),
        pytest.param(f"{UIH}/dicom", id="uih-dti-mosaic"),
    ],
)
def test_deidentified_series_converts_as_original(
    source: str, data_dir: Path, tmp_path: Path
) -> None:
    # The 3D T1 series ships no reference NIfTI, so the original files' conversion is the
    # reference. The sidecar, which the series keeps as its acquisition parameters, must match.
    sources = dicom_inputs(data_dir / source, tmp_path / "unpacked")
    original = convert_series(sources, tmp_path / "original")

    result, _ = _convert_deidentified(sources, tmp_path)

    assert_same_image(result, original.primary)
    assert result.sidecar == original.sidecar


def test_deidentified_c01_matches_reference_in_world_space(cases_dir: Path, tmp_path: Path) -> None:
    sources = sorted((cases_dir / "C01/dicom").glob("*.dcm"))

    result, _ = _convert_deidentified(sources, tmp_path)

    converted = nib.load(result.primary)
    reference = nib.load(cases_dir / "C01/image_t1_ras.nii.gz")
    transform = ornt_transform(io_orientation(converted.affine), io_orientation(reference.affine))
    reoriented = converted.as_reoriented(transform)
    assert reoriented.shape == reference.shape == (40, 48, 20)
    assert np.allclose(reoriented.affine, reference.affine, atol=1e-4)
    assert np.array_equal(np.asanyarray(reoriented.dataobj), np.asanyarray(reference.dataobj))
