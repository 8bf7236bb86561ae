"""Rules of the engine: attributes outside the table, raw values, dates, dummies, sequences."""

import io
import warnings

import pydicom
from pydicom.dataelem import RawDataElement
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.tag import BaseTag
from pydicom.uid import ExplicitVRLittleEndian

from annotation_platform.imaging.deid import (
    DeidContext,
    deidentify,
    deidentify_bytes,
    read_dicom,
    write_dicom,
)

CONTEXT = DeidContext(b"engine-rules-secret-0123", "GLI0004", -7)


def _base() -> Dataset:
    dataset = Dataset()
    dataset.SOPClassUID = "1.2.840.10008.5.1.4.1.1.4"
    dataset.SOPInstanceUID = "1.2.3.4.5"
    dataset.PatientName = "Rules^Test"
    dataset.file_meta = FileMetaDataset()
    dataset.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    return dataset


def _round(dataset: Dataset) -> tuple[pydicom.Dataset, bytes]:
    buffer = io.BytesIO()
    dataset.save_as(buffer, enforce_file_format=True)
    output, _ = deidentify_bytes(buffer.getvalue(), CONTEXT)
    return pydicom.dcmread(io.BytesIO(output)), output


def test_geometry_and_acquisition_attributes_are_kept() -> None:
    dataset = _base()
    dataset.ImagePositionPatient = [-16.0, -16.0, 4.0]
    dataset.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    dataset.PixelSpacing = [0.5, 0.5]
    dataset.SliceThickness = 1.0
    dataset.RepetitionTime = 2300
    dataset.SequenceName = "*tfl3d1_16ns"
    dataset.ScanningSequence = "GR"
    result, _ = _round(dataset)
    assert result.ImagePositionPatient == [-16.0, -16.0, 4.0]
    assert result.PixelSpacing == [0.5, 0.5]
    assert result.RepetitionTime == 2300
    assert result.SequenceName == "*tfl3d1_16ns"


def test_retired_unknown_and_group_length_attributes_are_removed() -> None:
    dataset = _base()
    dataset.add_new(0x00080041, "LO", "Retired text")
    dataset.add_new(0x00200030, "DS", [1, 2, 3])
    dataset.add_new(0x00180FFF, "LO", "Unknown public")
    dataset.add_new(0x00180000, "UL", 100)
    result, _ = _round(dataset)
    for tag in (0x00080041, 0x00200030, 0x00180FFF, 0x00180000):
        assert tag not in result


def test_kept_text_holding_a_name_is_cleaned() -> None:
    dataset = _base()
    dataset.SequenceName = "tfl Rules"
    result, _ = _round(dataset)
    assert result.SequenceName == "tfl"


def test_undecodable_values_are_dropped_at_element_level() -> None:
    dataset = read_dicom(_bytes(_base()))
    bad = b"\xff\xfe\x81Rules\x00\x9f"
    dataset._dict[BaseTag(0x00100010)] = RawDataElement(
        BaseTag(0x00100010), "PN", len(bad), bad, 0, False, True
    )
    dataset._dict[BaseTag(0x00081040)] = RawDataElement(
        BaseTag(0x00081040), "LO", len(bad), bad, 0, False, True
    )
    deidentify(dataset, CONTEXT)
    output = write_dicom(dataset)
    assert bad not in output
    assert b"\xff\xfe\x81" not in output


def test_malformed_dates_are_cleared_and_counted() -> None:
    dataset = _base()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pydicom warns about the invalid date on purpose
        dataset.add_new(0x00080020, "DA", "20211399")
    dataset.add_new(0x00080021, "DA", "20210304")
    buffer = io.BytesIO()
    dataset.save_as(buffer, enforce_file_format=True)
    output, report = deidentify_bytes(buffer.getvalue(), CONTEXT)
    result = pydicom.dcmread(io.BytesIO(output))
    assert result.StudyDate == ""
    assert result.SeriesDate == "20210225"
    assert report.dates_cleared == 1
    assert report.dates_shifted == 1


def test_dummy_values_keep_vr_valid() -> None:
    dataset = _base()
    dataset.InstitutionName = "Hospital of Rules"
    dataset.StationName = "STATION-1"
    dataset.DeviceSerialNumber = "SN-1"
    result, output = _round(dataset)
    assert result.InstitutionName == "ANONYMIZED"
    assert result.StationName == "ANONYMIZED"
    assert b"STATION-1" not in output


def test_reference_sequences_keep_items_with_new_uids() -> None:
    dataset = _base()
    item = Dataset()
    item.ReferencedSOPClassUID = "1.2.840.10008.5.1.4.1.1.4"
    item.ReferencedSOPInstanceUID = "1.2.3.4.9"
    block = item.private_block(0x0029, "NESTED PRIVATE", create=True)
    block.add_new(0x01, "LO", "Rules nested")
    dataset.ReferencedImageSequence = Sequence([item])
    result, output = _round(dataset)
    reference = result.ReferencedImageSequence[0]
    assert reference.ReferencedSOPClassUID == "1.2.840.10008.5.1.4.1.1.4"
    assert reference.ReferencedSOPInstanceUID.startswith("2.25.")
    assert b"Rules nested" not in output


def test_second_pass_is_stable() -> None:
    first, first_bytes = _round(_base())
    buffer = io.BytesIO()
    first.save_as(buffer, enforce_file_format=True)
    second_bytes, report = deidentify_bytes(buffer.getvalue(), CONTEXT)
    second = pydicom.dcmread(io.BytesIO(second_bytes))
    assert second.PatientID == first.PatientID
    assert second.PatientIdentityRemoved == "YES"
    assert len(second.DeidentificationMethodCodeSequence) == len(CONTEXT.options.method_codes())


def _bytes(dataset: Dataset) -> bytes:
    buffer = io.BytesIO()
    dataset.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()
