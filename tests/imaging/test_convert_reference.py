"""Conversions of real vendor series must equal the reference NIfTI files shipped with them.

The references are dcm2niix's own expected outputs from its validation repositories. Voxels are
compared exactly through the array proxy (no float conversion) and affines to float tolerance.
"""

import gzip
import json
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest
from nibabel.orientations import io_orientation, ornt_transform

from annotation_platform.imaging.convert import ConversionResult, convert_series
from annotation_platform.imaging.dicom_headers import read_headers
from annotation_platform.imaging.dicom_series import group_series
from annotation_platform.imaging.series_geometry import check_geometry

TRIO = "dicom/siemens/trio_transfer_syntaxes"
PCASL = "dicom/philips/ingenia_elition_3dpcasl_series1901"
MPRAGE = "dicom/philips/ingenia_elition_sag3d_t1_mprage_series1301"

# (test id, DICOM file or folder under data/, reference NIfTI under data/)
REFERENCE_CASES = [
    *[
        (
            f"trio-syntax-{number}",
            f"{TRIO}/dicom/{number}.dcm",
            f"{TRIO}/reference_nifti/{number}.nii",
        )
        for number in range(1, 10)
    ],
    (
        "siemens-skyra-mosaic",
        "dicom/siemens/nih_skyra_epi_mosaic_series3/dicom",
        "dicom/siemens/nih_skyra_epi_mosaic_series3/reference_nifti/EPI_PE=AP_3.nii",
    ),
    (
        "ge-discovery-fmri",
        "dicom/ge/nih_discovery_mr750_epi_series4/dicom",
        "dicom/ge/nih_discovery_mr750_epi_series4/reference_nifti/DCM2NIIX_regression_test_4.nii",
    ),
    (
        "uih-dti-mosaic",
        "dicom/uih/umr770_dti_tra_dir16_AP_series9/dicom",
        "dicom/uih/umr770_dti_tra_dir16_AP_series9/reference_nifti/dti_tra_dir16_AP_9_134431.nii",
    ),
    (
        "philips-classic",
        f"{PCASL}/dicom_classic",
        f"{PCASL}/reference_nifti/1901_WIP_3DpCASL_cl.nii.gz",
    ),
    (
        "philips-enhanced",
        f"{PCASL}/dicom_enhanced",
        f"{PCASL}/reference_nifti/1901_WIP_3DpCASL_enh_real.nii.gz",
    ),
]


def dicom_inputs(source: Path, unpack_dir: Path) -> list[Path]:
    """Return the DICOM files of a file or folder, unpacking .dcm.gz copies into unpack_dir."""
    files = (
        [source]
        if source.is_file()
        else sorted(path for path in source.iterdir() if path.is_file())
    )
    inputs = []
    for path in files:
        if path.name.endswith(".dcm.gz"):
            unpack_dir.mkdir(parents=True, exist_ok=True)
            target = unpack_dir / path.name.removesuffix(".gz")
            target.write_bytes(gzip.decompress(path.read_bytes()))
            inputs.append(target)
        elif path.suffix == ".dcm":
            inputs.append(path)
    return inputs


def assert_same_image(result: ConversionResult, reference_path: Path) -> None:
    converted = nib.load(result.primary)
    reference = nib.load(reference_path)
    converted_voxels = np.asanyarray(converted.dataobj)
    reference_voxels = np.asanyarray(reference.dataobj)

    assert converted_voxels.shape == reference_voxels.shape
    assert converted_voxels.dtype == reference_voxels.dtype
    assert np.array_equal(converted_voxels, reference_voxels)
    assert np.allclose(converted.header.get_qform(), reference.header.get_qform(), atol=1e-4)
    assert np.allclose(converted.header.get_sform(), reference.header.get_sform(), atol=1e-4)
    assert np.allclose(result.affine, reference.affine, atol=1e-4)


@pytest.mark.parametrize(
    ("source", "reference"),
    [pytest.param(source, reference, id=case_id) for case_id, source, reference in REFERENCE_CASES],
)
def test_conversion_equals_reference_nifti(
    source: str, reference: str, data_dir: Path, tmp_path: Path
) -> None:
    files = dicom_inputs(data_dir / source, tmp_path / "unpacked")

    result = convert_series(files, tmp_path / "out")

    assert_same_image(result, data_dir / reference)
    assert result.shape == nib.load(data_dir / reference).shape
    assert result.primary.parent == tmp_path / "out"


def test_uih_dti_writes_gradient_tables(data_dir: Path, tmp_path: Path) -> None:
    source = data_dir / "dicom/uih/umr770_dti_tra_dir16_AP_series9"

    result = convert_series(dicom_inputs(source / "dicom", tmp_path), tmp_path / "out")

    names = sorted(path.name for path in result.gradient_files)
    assert names == ["volume.bval", "volume.bvec"]
    written = (tmp_path / "out/volume.bval").read_text().split()
    expected = (source / "reference_nifti/dti_tra_dir16_AP_9_134431.bval").read_text().split()
    assert written == expected
    assert not result.is_3d
    assert result.geometry.volume_count == 17


@pytest.fixture(scope="module")
def mprage_files(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return dicom_inputs(data_dir / MPRAGE / "dicom_classic", tmp_path_factory.mktemp("mprage"))


def test_philips_mprage_passes_geometry_checks(mprage_files: list[Path]) -> None:
    (group,) = group_series(read_headers(mprage_files))

    report = check_geometry(group)

    assert group.instance_count == 170
    assert (report.slice_count, report.volume_count) == (170, 1)
    assert report.slice_spacing_mm == pytest.approx(1.0, abs=1e-3)
    assert report.warnings == []


def test_philips_mprage_converts_to_1mm_volume(
    mprage_files: list[Path], data_dir: Path, tmp_path: Path
) -> None:
    result = convert_series(mprage_files, tmp_path)

    # dcm2niix turns this sagittal 3D acquisition towards the nearest RAS axes, so the 170
    # sagittal slices end up on the first axis.
    assert sorted(result.shape) == [170, 256, 256]
    assert result.shape == (170, 256, 256)
    assert result.spacing_mm == pytest.approx((1.0, 1.0, 1.0))
    assert result.is_3d
    assert nib.aff2axcodes(result.affine) == ("R", "A", "S")
    assert result.warnings == []
    reference_sidecar = json.loads(
        (data_dir / MPRAGE / "reference_nifti/1301_WIP_ADNI_Sag3D_MPRAGE_cl.json").read_text()
    )
    assert result.sidecar["EchoTime"] == reference_sidecar["EchoTime"]
    assert result.sidecar["RepetitionTime"] == reference_sidecar["RepetitionTime"]


def test_c01_volume_matches_reference_in_world_space(cases_dir: Path, tmp_path: Path) -> None:
    result = convert_series(cases_dir / "C01/dicom", tmp_path)
    converted = nib.load(result.primary)
    reference = nib.load(cases_dir / "C01/image_t1_ras.nii.gz")

    # Reorient the converted image to the reference's voxel order by the affines' axis codes,
    # then the same voxel index must be the same point in the patient with the same value.
    transform = ornt_transform(io_orientation(converted.affine), io_orientation(reference.affine))
    reoriented = converted.as_reoriented(transform)

    assert nib.aff2axcodes(converted.affine) == ("L", "A", "S")
    assert reoriented.shape == reference.shape == (40, 48, 20)
    assert np.allclose(reoriented.affine, reference.affine, atol=1e-4)
    assert np.array_equal(np.asanyarray(reoriented.dataobj), np.asanyarray(reference.dataobj))
