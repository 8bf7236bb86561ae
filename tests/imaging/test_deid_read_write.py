"""Reading and writing: round trips in every little-endian encoding, fallbacks and bad input."""

import gzip
import io
from pathlib import Path

import pydicom
import pytest
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import (
    DeflatedExplicitVRLittleEndian,
    ExplicitVRBigEndian,
    ExplicitVRLittleEndian,
    ImplicitVRLittleEndian,
)

from annotation_platform.errors import ActionableError
from annotation_platform.imaging.deid import DeidContext, deidentify_bytes, read_dicom, write_dicom

CONTEXT = DeidContext(b"read-write-test-secret-01", "GLI0003", 3)
PHILIPS = "dicom/philips/ingenia_elition_sag3d_t1_mprage_series1301/dicom_classic/1301_0001.dcm.gz"


def _file(syntax: str, *, undefined_lengths: bool = False) -> bytes:
    dataset = Dataset()
    dataset.SOPClassUID = "1.2.840.10008.5.1.4.1.1.4"
    dataset.SOPInstanceUID = "1.2.3.4.5"
    dataset.PatientName = "Roundtrip^Test"
    dataset.SeriesDescription = "T2 AX"
    item = Dataset()
    item.ReferencedSOPClassUID = "1.2.840.10008.5.1.4.1.1.4"
    item.ReferencedSOPInstanceUID = "1.2.3.4.6"
    dataset.ReferencedImageSequence = Sequence([item])
    block = dataset.private_block(0x0029, "ROUNDTRIP", create=True)
    block.add_new(0x01, "SQ", Sequence([Dataset()]))
    dataset.Rows = 2
    dataset.Columns = 2
    dataset.BitsAllocated = 16
    dataset.BitsStored = 16
    dataset.HighBit = 15
    dataset.PixelRepresentation = 0
    dataset.SamplesPerPixel = 1
    dataset.PixelData = b"\x01\x00\x02\x00\x03\x00\x04\x00"
    if undefined_lengths:
        dataset.ReferencedImageSequence.is_undefined_length = True
        item.is_undefined_length_sequence_item = True
    dataset.file_meta = FileMetaDataset()
    dataset.file_meta.TransferSyntaxUID = syntax
    buffer = io.BytesIO()
    dataset.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


def _elements(dataset: Dataset) -> list[tuple[int, str, object]]:
    return [(e.tag, e.VR, e.value) for e in dataset.iterall() if e.tag != 0x00020000]


@pytest.mark.parametrize("syntax", [ExplicitVRLittleEndian, ImplicitVRLittleEndian])
def test_unchanged_round_trip_keeps_every_value(syntax: str) -> None:
    data = _file(syntax)
    output = write_dicom(read_dicom(data))
    assert _elements(pydicom.dcmread(io.BytesIO(output))) == _elements(
        pydicom.dcmread(io.BytesIO(data))
    )


def test_real_philips_file_round_trips(data_dir: Path) -> None:
    data = gzip.decompress((data_dir / PHILIPS).read_bytes())
    output = write_dicom(read_dicom(data))
    assert _elements(pydicom.dcmread(io.BytesIO(output))) == _elements(
        pydicom.dcmread(io.BytesIO(data))
    )


@pytest.mark.parametrize(
    "syntax",
    [
        ExplicitVRLittleEndian,
        ImplicitVRLittleEndian,
        ExplicitVRBigEndian,
        DeflatedExplicitVRLittleEndian,
    ],
)
def test_deidentify_in_every_syntax(syntax: str) -> None:
    output, _ = deidentify_bytes(_file(syntax), CONTEXT)
    dataset = pydicom.dcmread(io.BytesIO(output))
    assert dataset.file_meta.TransferSyntaxUID == syntax
    assert str(dataset.PatientName) == "GLI0003"
    assert dataset.SeriesDescription == "T2 AX"
    assert dataset.PixelData == b"\x01\x00\x02\x00\x03\x00\x04\x00"
    assert dataset.ReferencedImageSequence[0].ReferencedSOPInstanceUID.startswith("2.25.")
    assert not any(element.tag.is_private for element in dataset.iterall())


def test_undefined_length_sequences_are_read() -> None:
    output, _ = deidentify_bytes(_file(ExplicitVRLittleEndian, undefined_lengths=True), CONTEXT)
    dataset = pydicom.dcmread(io.BytesIO(output))
    assert len(dataset.ReferencedImageSequence) == 1


def test_truncated_file_is_rejected() -> None:
    data = _file(ExplicitVRLittleEndian)
    with pytest.raises(ActionableError) as raised:
        read_dicom(data[:-3])
    assert raised.value.code == "DICOM_TRUNCATED"


@pytest.mark.parametrize("data", [b"", b"not a dicom file at all" * 20, bytes(200)])
def test_non_dicom_bytes_are_rejected(data: bytes) -> None:
    with pytest.raises(ActionableError) as raised:
        read_dicom(data)
    assert raised.value.code in {"DICOM_UNREADABLE", "DICOM_TRUNCATED"}
    assert raised.value.params == {}


def test_file_without_preamble_is_read() -> None:
    dataset = Dataset()
    dataset.SOPClassUID = "1.2.840.10008.5.1.4.1.1.4"
    dataset.SOPInstanceUID = "1.2.3.4.5"
    dataset.PatientName = "Nopreamble^Test"
    buffer = io.BytesIO()
    pydicom.dcmwrite(buffer, dataset, implicit_vr=True, little_endian=True)
    output, _ = deidentify_bytes(buffer.getvalue(), CONTEXT)
    assert b"Nopreamble" not in output
    assert pydicom.dcmread(io.BytesIO(output)).PatientID == "GLI0003"
