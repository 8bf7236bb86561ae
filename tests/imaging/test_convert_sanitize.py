"""dcm2niix outputs are untrusted: NIfTI text fields, extensions and sidecars are cleaned."""

import json
import subprocess
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest

from annotation_platform.imaging.convert import convert_series
from annotation_platform.imaging.dcm2niix_runner import find_dcm2niix
from annotation_platform.imaging.nifti_sanitize import filter_sidecar, sanitize_nifti_header
from tests.imaging.test_series_synthetic import stack_positions, write_stack

# Invented identifying values, written into attributes that dcm2niix copies into its outputs.
IDENTIFYING_ATTRIBUTES = {
    "PatientName": "Qian^Xiaoming",
    "PatientID": "PID-448812",
    "InstitutionName": "Riverside Example Hospital",
    "InstitutionAddress": "12 Example Road",
    "InstitutionalDepartmentName": "Neuroradiology Example Dept",
    "StationName": "MRROOM7EXAMPLE",
    "DeviceSerialNumber": "SN990017",
    "ProtocolName": "t1 qian xiaoming research",
    "SeriesDescription": "Qian Xiaoming follow-up",
    "StudyDescription": "Qian Xiaoming brain",
    "ImageComments": "called Qian Xiaoming back",
    "OperatorsName": "Operator^Example",
    "ReferringPhysicianName": "Doctor^Example",
}
IDENTIFYING_TEXTS = [
    "Qian",
    "Xiaoming",
    "PID-448812",
    "Riverside",
    "Example Road",
    "Neuroradiology",
    "MRROOM7EXAMPLE",
    "SN990017",
    "Operator",
    "Doctor",
]


def write_text_nifti(path: Path) -> tuple[np.ndarray, np.ndarray]:
    voxels = np.arange(4 * 5 * 6, dtype=np.int16).reshape(4, 5, 6)
    affine = np.array([[-0.9, 0, 0, 10], [0, 0.9, 0, -20], [0, 0, 2.5, 30], [0, 0, 0, 1]])
    image = nib.Nifti1Image(voxels, affine)
    image.header["descrip"] = b"TE=30;Time=134935.305;Qian"
    image.header["aux_file"] = b"Qian Xiaoming"
    image.header["intent_name"] = b"Riverside"
    image.header["db_name"] = b"SN990017"
    image.header.set_slope_inter(2.0, -1.0)
    image.header.extensions.append(nib.nifti1.Nifti1Extension(6, b"Qian Xiaoming comment"))
    nib.save(image, path)
    return voxels, affine


@pytest.mark.parametrize("name", ["image.nii", "image.nii.gz"])
def test_nifti_text_fields_and_extensions_are_cleared(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    voxels, affine = write_text_nifti(path)
    original = nib.load(path)
    assert b"Qian" in original.header.extensions[0].get_content()

    sanitize_nifti_header(path)

    cleaned = nib.load(path)
    for field in ("descrip", "aux_file", "intent_name", "db_name"):
        assert cleaned.header[field].item() == b""
    assert len(cleaned.header.extensions) == 0
    assert np.array_equal(np.asanyarray(cleaned.dataobj.get_unscaled()), voxels)
    assert (cleaned.dataobj.slope, cleaned.dataobj.inter) == (2.0, -1.0)
    assert (original.dataobj.slope, original.dataobj.inter) == (2.0, -1.0)
    assert np.allclose(cleaned.affine, affine)
    assert cleaned.get_data_dtype() == np.int16
    assert [entry.name for entry in tmp_path.iterdir()] == [name]


def test_nifti2_text_fields_are_cleared(tmp_path: Path) -> None:
    path = tmp_path / "image.nii"
    image = nib.Nifti2Image(np.ones((3, 3, 3), dtype=np.uint8), np.eye(4))
    image.header["descrip"] = b"Qian Xiaoming"
    image.header["aux_file"] = b"Riverside"
    nib.save(image, path)

    sanitize_nifti_header(path)

    cleaned = nib.load(path)
    assert isinstance(cleaned, nib.Nifti2Image)
    assert cleaned.header["descrip"].item() == b""
    assert cleaned.header["aux_file"].item() == b""
    assert np.array_equal(np.asanyarray(cleaned.dataobj), np.ones((3, 3, 3)))


def test_sidecar_keeps_only_allowed_acquisition_keys() -> None:
    raw = {
        "EchoTime": 0.03,
        "RepetitionTime": 3,
        "FlipAngle": 76,
        "InversionTime": 0.9,
        "MagneticFieldStrength": 3,
        "Manufacturer": "Siemens",
        "ManufacturersModelName": "TrioTim",
        "ImageType": ["ORIGINAL", "PRIMARY", "M"],
        "SliceTiming": [0, 0.07, 0.1425],
        "InstitutionName": "USC",
        "InstitutionAddress": "Medical Center Dr 5",
        "DeviceSerialNumber": "35131",
        "StationName": "MRC35131",
        "ProtocolName": "ax_asc_35sl",
        "SeriesDescription": "ax_asc_35sl",
        "AcquisitionTime": "13:49:35.305000",
        "AcquisitionDateTime": "2014-03-10T13:49:35",
        "ImageComments": "anything",
        "PatientName": "Someone",
        "PulseSequenceDetails": "%CustomerSeq%\\someone_bold",
        "BidsGuess": ["func", "_acq-x_run-5_bold"],
        "SoftwareVersions": "syngo MR B17",
    }

    kept = filter_sidecar(raw)

    assert kept == {
        "EchoTime": 0.03,
        "RepetitionTime": 3,
        "FlipAngle": 76,
        "InversionTime": 0.9,
        "MagneticFieldStrength": 3,
        "Manufacturer": "Siemens",
        "ManufacturersModelName": "TrioTim",
        "ImageType": ["ORIGINAL", "PRIMARY", "M"],
        "SliceTiming": [0, 0.07, 0.1425],
    }


def test_sidecar_drops_long_text_under_allowed_key() -> None:
    kept = filter_sidecar({"Manufacturer": "x" * 65, "ImageType": ["M", {"nested": 1}]})

    assert kept == {}


def test_converted_outputs_contain_no_identifying_text(tmp_path: Path) -> None:
    dicom_dir = tmp_path / "dicom"
    write_stack(dicom_dir, stack_positions(6), attributes=IDENTIFYING_ATTRIBUTES)
    out_dir = tmp_path / "out"

    result = convert_series(dicom_dir, out_dir)

    written = sorted(path.name for path in out_dir.iterdir())
    assert written == ["volume.json", "volume.nii"]
    for path in out_dir.iterdir():
        content = path.read_bytes()
        for text in IDENTIFYING_TEXTS:
            assert text.encode() not in content, (path.name, text)
    assert result.sidecar == json.loads((out_dir / "volume.json").read_text())
    assert result.sidecar["EchoTime"] == 0.01


def test_raw_dcm2niix_sidecar_does_carry_identifying_text(tmp_path: Path) -> None:
    # The premise of the cleaning above: dcm2niix's own anonymised output still leaks.
    dicom_dir = tmp_path / "dicom"
    write_stack(dicom_dir, stack_positions(6), attributes=IDENTIFYING_ATTRIBUTES)
    raw_dir = tmp_path / "raw"
    raw_dir.mkdir()

    subprocess.run(
        [
            str(find_dcm2niix()),
            "-z",
            "n",
            "-b",
            "y",
            "-ba",
            "y",
            "-f",
            "raw",
            "-o",
            str(raw_dir),
            str(dicom_dir),
        ],
        check=True,
        capture_output=True,
        env={"HOME": str(tmp_path)},
    )

    raw_sidecar = (raw_dir / "raw.json").read_text()
    assert "Riverside" in raw_sidecar
    assert "SN990017" in raw_sidecar
