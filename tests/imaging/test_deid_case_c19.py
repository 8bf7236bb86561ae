"""Identifying data hidden in descriptions, comments, sequences and private tags (case C19)."""

import io
import json
from pathlib import Path

import pydicom
import pytest

from annotation_platform.imaging.deid import (
    DeidContext,
    DeidOptions,
    deidentify_bytes,
    read_dicom,
    source_identity,
)

SECRET = b"c19-test-secret-0123456789"


@pytest.fixture(scope="module")
def case(cases_dir: Path) -> tuple[list[Path], dict]:
    folder = cases_dir / "C19"
    return sorted((folder / "dicom").glob("*.dcm")), json.loads(
        (folder / "expected.json").read_text()
    )["expected"]


def _deidentify(path: Path, *, retain: bool = False) -> tuple[bytes, pydicom.Dataset]:
    context = DeidContext(
        SECRET, "GLI0001", -45, options=DeidOptions(retain_patient_characteristics=retain)
    )
    output, _ = deidentify_bytes(path.read_bytes(), context)
    return output, pydicom.dcmread(io.BytesIO(output))


def test_no_forbidden_string_remains_in_bytes(case: tuple[list[Path], dict]) -> None:
    paths, expected = case
    for path in paths:
        output, _ = _deidentify(path)
        leaked = [
            text
            for text in expected["forbidden_strings_anywhere_after_upload"]
            if text.lower().encode() in output.lower()
        ]
        assert leaked == [], path.name


def test_descriptors_keep_sequence_words(case: tuple[list[Path], dict]) -> None:
    _, dataset = _deidentify(case[0][0])
    assert dataset.SeriesDescription == "T1_AX"
    assert dataset.ProtocolName.startswith("T1 AX")


def test_identity_removed_and_method_recorded(case: tuple[list[Path], dict]) -> None:
    _, dataset = _deidentify(case[0][0])
    assert dataset.PatientIdentityRemoved == "YES"
    codes = [
        (item.CodeValue, item.CodingSchemeDesignator)
        for item in dataset.DeidentificationMethodCodeSequence
    ]
    assert codes == [("113100", "DCM"), ("113107", "DCM"), ("113105", "DCM"), ("113111", "DCM")]
    assert dataset.LongitudinalTemporalInformationModified == "MODIFIED"
    assert "Basic Application Confidentiality Profile" in dataset.DeidentificationMethod[0]


def test_private_block_and_patient_sequences_gone(case: tuple[list[Path], dict]) -> None:
    original = pydicom.dcmread(case[0][0])
    assert any(element.tag.group == 0x0019 for element in original)
    _, dataset = _deidentify(case[0][0])
    assert not any(element.tag.is_private for element in dataset.iterall())
    assert "OtherPatientIDsSequence" not in dataset
    for item in dataset.get("RequestAttributesSequence", []):
        assert "RequestedProcedureID" not in item
        assert item.get("AccessionNumber", "") == ""


def test_name_and_id_become_pseudonym(case: tuple[list[Path], dict]) -> None:
    _, dataset = _deidentify(case[0][0])
    assert str(dataset.PatientName) == "GLI0001"
    assert dataset.PatientID == "GLI0001"


def test_pixels_unchanged(case: tuple[list[Path], dict]) -> None:
    original = pydicom.dcmread(case[0][0])
    _, dataset = _deidentify(case[0][0])
    assert dataset.PixelData == original.PixelData


def test_patient_characteristics_only_with_option(case: tuple[list[Path], dict]) -> None:
    _, basic = _deidentify(case[0][0])
    assert "PatientAge" not in basic
    assert "PatientWeight" not in basic
    assert basic.get("PatientSex", "") == ""
    _, retained = _deidentify(case[0][0], retain=True)
    assert retained.PatientAge == "055Y"
    assert retained.PatientSex == "F"
    assert float(retained.PatientWeight) == 61
    codes = [item.CodeValue for item in retained.DeidentificationMethodCodeSequence]
    assert "113108" in codes


def test_references_between_files_resolve(case: tuple[list[Path], dict]) -> None:
    datasets = [_deidentify(path)[1] for path in case[0]]
    assert len({d.StudyInstanceUID for d in datasets}) == 1
    assert len({d.SeriesInstanceUID for d in datasets}) == 1
    assert len({d.SOPInstanceUID for d in datasets}) == len(datasets)
    for dataset in datasets:
        assert dataset.file_meta.MediaStorageSOPInstanceUID == dataset.SOPInstanceUID
        assert dataset.StudyInstanceUID.startswith("2.25.")


def test_dates_shift_by_offset(case: tuple[list[Path], dict]) -> None:
    original = pydicom.dcmread(case[0][0])
    _, dataset = _deidentify(case[0][0])
    assert original.StudyDate == "20210304"
    assert dataset.StudyDate == "20210118"
    assert dataset.StudyTime == original.StudyTime
    assert dataset.get("PatientBirthDate", "") == ""


def test_source_identity_uses_patient_id(case: tuple[list[Path], dict]) -> None:
    identity = source_identity(read_dicom(case[0][0].read_bytes()))
    assert identity.patient_key == "id::QA-77-1234"
    assert "QA-77" not in repr(identity)
