"""The Retain Safe Private option: which private attributes stay, and which values still go.

Synthetic files carry vendor blocks with allow-listed attributes next to unlisted ones, and
identifying values planted inside the kept ones (a name inside a CSA header blob, a name in a
kept LO). A planted value must take its element out and leave the rest of the block.
"""

import io

import pydicom
import pytest
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian

from annotation_platform.imaging import dicom_headers
from annotation_platform.imaging.deid import (
    DeidContext,
    DeidOptions,
    deidentify,
    deidentify_bytes,
    read_dicom,
    write_dicom,
)
from annotation_platform.imaging.deid.descriptors import build_identifier_set
from annotation_platform.imaging.deid.private_values import (
    bytes_hold_identifier,
    identifying_token_pattern,
    number_value_is_valid,
)
from annotation_platform.imaging.deid.safe_private import (
    VENDOR_SAFE_PRIVATE,
    SafePrivateAllowList,
    SafePrivateAttribute,
)

SECRET = b"safe-private-secret-01234"
CONTEXT = DeidContext(SECRET, "GLI0007", -30)
PATIENT_NAME = "Qzcanary^Hannelore"
PATIENT_ID = "7654321"
CSA_BLOB = b"SV10\x04\x03\x02\x01" + b"NumberOfImagesInMosaic\x00US\x00\x0035\x00" * 4
CSA = (0x0029, 0x1010)
CSA_SERIES = (0x0029, 0x1020)
MOSAIC_COUNT = (0x0019, 0x100A)
B_VALUE = (0x0019, 0x100C)
GRADIENT = (0x0019, 0x100E)
ACME_VALUE = (0x0011, 0x1001)
TEXT_ENTRY = SafePrivateAttribute(
    "Test", 0x0011, "QA SAFE TEXT", 0x01, "LO", "Coded text", "tests the text check"
)
WITH_TEXT = DeidOptions(
    safe_private=SafePrivateAllowList((*VENDOR_SAFE_PRIVATE.attributes, TEXT_ENTRY))
)


def _siemens_dataset(csa_blob: bytes = CSA_BLOB) -> Dataset:
    dataset = Dataset()
    dataset.SpecificCharacterSet = "ISO_IR 100"
    dataset.SOPClassUID = "1.2.840.10008.5.1.4.1.1.4"
    dataset.SOPInstanceUID = "1.2.3.4.5.6"
    dataset.PatientName = PATIENT_NAME
    dataset.PatientID = PATIENT_ID
    dataset.StudyDate = "20210304"
    dataset.InstitutionName = "Qzklinik Nord"
    dataset.Manufacturer = "SIEMENS"
    csa = dataset.private_block(0x0029, "SIEMENS CSA HEADER", create=True)
    csa.add_new(0x10, "OB", csa_blob)
    csa.add_new(0x20, "OB", b'### ASCCONV BEGIN ###\ntProtocolName = "T1"')
    header = dataset.private_block(0x0019, "SIEMENS MR HEADER", create=True)
    header.add_new(0x0A, "US", 35)
    header.add_new(0x0C, "IS", "1000")
    header.add_new(0x0E, "FD", [0.0, 0.6, 0.8])
    header.add_new(0x08, "CS", "IMAGE NUM 4")
    acme = dataset.private_block(0x0011, "QA ACME PRIVATE", create=True)
    acme.add_new(0x01, "LO", "harmless")
    return dataset


def _encode(dataset: Dataset, *, implicit: bool = False) -> bytes:
    dataset.file_meta = FileMetaDataset()
    dataset.file_meta.TransferSyntaxUID = (
        ImplicitVRLittleEndian if implicit else ExplicitVRLittleEndian
    )
    buffer = io.BytesIO()
    dataset.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


def _deidentify(
    dataset: Dataset, *, implicit: bool = False, options: DeidOptions | None = None
) -> tuple[pydicom.Dataset, bytes, object]:
    context = CONTEXT if options is None else DeidContext(SECRET, "GLI0007", -30, options=options)
    output, report = deidentify_bytes(_encode(dataset, implicit=implicit), context)
    return pydicom.dcmread(io.BytesIO(output)), output, report


def test_listed_attributes_and_their_creators_are_kept() -> None:
    result, _, report = _deidentify(_siemens_dataset())

    assert result[CSA].value == CSA_BLOB
    assert result[MOSAIC_COUNT].value == 35
    assert result[B_VALUE].value == 1000
    assert list(result[GRADIENT].value) == [0.0, 0.6, 0.8]
    assert result[0x00290010].value == "SIEMENS CSA HEADER"
    assert result[0x00190010].value == "SIEMENS MR HEADER"
    assert report.safe_private_kept == 4
    assert report.safe_private_dropped == 0


def test_unlisted_attributes_and_emptied_blocks_are_removed() -> None:
    result, output, report = _deidentify(_siemens_dataset())

    assert CSA_SERIES not in result
    assert 0x00191008 not in result
    assert ACME_VALUE not in result
    assert 0x00110010 not in result
    assert b"ASCCONV" not in output
    assert b"QA ACME" not in output
    # Unlisted elements: the CSA series header, (0019,xx08) and the ACME value and creator.
    assert report.private_removed == 4


@pytest.mark.parametrize(
    "planted",
    [
        pytest.param(b"Hannelore", id="name-part"),
        pytest.param(b"QZCANARY", id="family-name-upper-case"),
        pytest.param(b"id=7654321;", id="patient-id"),
        pytest.param(b"20210304", id="study-date"),
        pytest.param(b"20210304101500.000", id="study-date-in-date-time"),
        pytest.param(b"04.03.2021", id="study-date-dotted"),
        pytest.param(b"Qzklinik", id="institution-word"),
    ],
)
def test_identifier_in_csa_blob_drops_blob(planted: bytes) -> None:
    result, output, report = _deidentify(_siemens_dataset(CSA_BLOB + b"\x00" + planted + b"\x00"))

    assert CSA not in result
    assert 0x00290010 not in result
    assert planted.lower() not in output.lower()
    assert result[MOSAIC_COUNT].value == 35
    assert report.safe_private_dropped == 1
    assert report.safe_private_kept == 3


def test_id_inside_longer_number_keeps_blob() -> None:
    result, _, report = _deidentify(_siemens_dataset(CSA_BLOB + b"\x000.76543219\x00"))

    assert CSA in result
    assert report.safe_private_dropped == 0


def test_chinese_name_in_blob_is_found() -> None:
    dataset = _siemens_dataset(CSA_BLOB + "\x00测试零一\x00".encode("gb18030"))
    dataset.SpecificCharacterSet = "GB18030"
    dataset.PatientName = "Ceshi^Lingyi=测试零一^"

    result, _, report = _deidentify(dataset)

    assert CSA not in result
    assert report.safe_private_dropped == 1


def test_short_name_part_does_not_drop_a_blob() -> None:
    # Binary headers spell VR codes such as "US" and "DS", so two-letter tokens are only
    # searched in text values.
    dataset = _siemens_dataset()
    dataset.PatientName = "Us^Ds"

    result, _, report = _deidentify(dataset)

    assert result[CSA].value == CSA_BLOB
    assert report.safe_private_dropped == 0


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        ("T1 MPRAGE", True),
        ("protocol of Hannelore", False),
        ("AX LI", False),
        ("7654321", False),
    ],
)
def test_name_in_kept_text_drops_the_element(value: str, kept: bool) -> None:
    dataset = _siemens_dataset()
    dataset.PatientName = "Li^Hannelore"
    block = dataset.private_block(0x0011, "QA SAFE TEXT", create=True)
    block.add_new(0x01, "LO", value)

    result, _, report = _deidentify(dataset, options=WITH_TEXT)

    if kept:
        assert result.get_private_item(0x0011, 0x01, "QA SAFE TEXT").value == value
        assert report.safe_private_dropped == 0
    else:
        assert not any(element.tag.group == 0x0011 for element in result)
        assert report.safe_private_dropped == 1
    assert result[CSA].value == CSA_BLOB


def test_kept_text_is_written_as_utf8() -> None:
    dataset = _siemens_dataset()
    dataset.SpecificCharacterSet = "ISO_IR 100"
    block = dataset.private_block(0x0011, "QA SAFE TEXT", create=True)
    block.add_new(0x01, "LO", "Kopf café")

    result, _, _ = _deidentify(dataset, options=WITH_TEXT)

    assert result.SpecificCharacterSet == "ISO_IR 192"
    assert result.get_private_item(0x0011, 0x01, "QA SAFE TEXT").value == "Kopf café"


def test_number_attribute_with_text_is_dropped() -> None:
    # pydicom validates IS values, so the letters go into the encoded bytes.
    data = _encode(_siemens_dataset()).replace(b"IS\x04\x001000", b"IS\x04\x00Qzca")
    assert b"Qzca" in data

    output, report = deidentify_bytes(data, CONTEXT)
    result = pydicom.dcmread(io.BytesIO(output))

    assert B_VALUE not in result
    assert report.safe_private_dropped == 1


def test_attribute_with_another_vr_is_removed() -> None:
    dataset = _siemens_dataset()
    del dataset[MOSAIC_COUNT]
    dataset.add_new(MOSAIC_COUNT, "LO", "35 Hannelore")

    result, output, _ = _deidentify(dataset)

    assert MOSAIC_COUNT not in result
    assert b"Hannelore" not in output


def test_implicit_vr_file_keeps_listed_attributes() -> None:
    result, output, report = _deidentify(_siemens_dataset(), implicit=True)

    assert result[CSA].value == CSA_BLOB
    assert result[MOSAIC_COUNT].value in (35, b"#\x00")
    assert b"QA ACME" not in output
    assert report.safe_private_kept == 4


def test_creator_in_other_letter_case_is_recognised() -> None:
    dataset = _siemens_dataset()
    block = dataset.private_block(0x2005, "PHILIPS MR IMAGING DD 001", create=True)
    block.add_new(0x0E, "FL", 10.0)

    result, _, _ = _deidentify(dataset)

    assert result.get_private_item(0x2005, 0x0E, "PHILIPS MR IMAGING DD 001").value == 10.0


def test_kept_sequence_keeps_only_listed_item_attributes() -> None:
    dataset = _siemens_dataset()
    item = Dataset()
    item.EchoPlanarPulseSequence = "YES"
    item.ScanningSequence = "GR"
    item.PatientName = PATIENT_NAME
    item.AcquisitionDateTime = "20210304101500"
    item.SeriesDescription = "Hannelore"
    nested = item.private_block(0x2005, "Philips MR Imaging DD 001", create=True)
    nested.add_new(0x0E, "FL", 10.0)
    block = dataset.private_block(0x2005, "Philips MR Imaging DD 005", create=True)
    block.add_new(0x0F, "SQ", Sequence([item]))

    result, output, report = _deidentify(dataset)

    (kept_item,) = result.get_private_item(0x2005, 0x0F, "Philips MR Imaging DD 005").value
    assert kept_item.EchoPlanarPulseSequence == "YES"
    assert kept_item.ScanningSequence == "GR"
    assert "PatientName" not in kept_item
    assert "AcquisitionDateTime" not in kept_item
    assert not any(element.tag.is_private for element in kept_item)
    assert b"Hannelore" not in output
    assert b"Qzcanary" not in output
    assert report.safe_private_kept == 5


def test_sequence_items_are_deidentified_by_the_profile() -> None:
    dataset = _siemens_dataset()
    item = Dataset()
    item.ImagePositionPatient = [-114.4, -112.3, -6.4]
    item.AcquisitionTime = "135718.843"
    item.AcquisitionDate = "20210304"
    block = dataset.private_block(0x0065, "Image Private Header", create=True)
    block.add_new(0x51, "SQ", Sequence([item]))

    result, output, _ = _deidentify(dataset, implicit=True)

    (kept_item,) = result[0x00651051].value
    assert [float(v) for v in kept_item.ImagePositionPatient] == [-114.4, -112.3, -6.4]
    assert kept_item.AcquisitionTime == "135718.843"
    assert "AcquisitionDate" not in kept_item
    assert b"20210304" not in output


def test_fast_and_full_reader_agree() -> None:
    data = _encode(_siemens_dataset())

    fast, fast_report = deidentify_bytes(data, CONTEXT)
    dataset = read_dicom(data)
    full_report = deidentify(dataset, CONTEXT)
    full = write_dicom(dataset)

    assert fast == full
    assert fast_report.safe_private_kept == full_report.safe_private_kept
    assert fast_report.private_removed == full_report.private_removed


def test_option_is_recorded_as_method_code() -> None:
    result, _, report = _deidentify(_siemens_dataset())

    codes = [item.CodeValue for item in result.DeidentificationMethodCodeSequence]
    assert "113111" in codes
    assert "113111" in report.method_codes
    assert "Retain Safe Private Option" in result.DeidentificationMethod


@pytest.mark.parametrize(
    ("manufacturer", "institution", "expected"),
    [
        ("UIH", "UIH", "UIH"),
        ("Philips Qzklinik", "Qzklinik", "Philips"),
        ("Qzklinik Scanner", "Qzklinik", "Scanner"),
        ("SIEMENS", "Qzklinik Nord", "SIEMENS"),
    ],
)
def test_manufacturer_keeps_its_vendor_word(
    manufacturer: str, institution: str, expected: str
) -> None:
    dataset = _siemens_dataset()
    dataset.Manufacturer = manufacturer
    dataset.InstitutionName = institution

    result, _, _ = _deidentify(dataset)

    assert result.Manufacturer == expected


def test_attributes_read_by_dicom_headers_are_listed() -> None:
    wanted = [
        *dicom_headers.VOLUME_KEY_PRIVATE,
        dicom_headers.SIEMENS_MOSAIC_COUNT,
        dicom_headers.UIH_MOSAIC_COUNT,
    ]
    missing = [
        (hex(group), creator, hex(offset))
        for group, offset, creator in wanted
        if VENDOR_SAFE_PRIVATE.find(group, creator, offset) is None
    ]
    assert missing == []


def test_allow_list_rejects_malformed_entries() -> None:
    with pytest.raises(ValueError, match="private group"):
        SafePrivateAttribute("Test", 0x0010, "X", 0x01, "LO", "even group", "test")
    with pytest.raises(ValueError, match="item_tags"):
        SafePrivateAttribute("Test", 0x0011, "X", 0x01, "SQ", "no item tags", "test")
    with pytest.raises(ValueError, match="public"):
        SafePrivateAttribute(
            "Test", 0x0011, "X", 0x01, "SQ", "private item tag", "test", frozenset({0x00111001})
        )


def test_vendor_list_entries_are_unique() -> None:
    keys = [(a.group, a.creator.upper(), a.offset) for a in VENDOR_SAFE_PRIVATE.attributes]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize(
    ("value", "vr", "valid"),
    [
        (b"\x00\x00\x80?", "FL", True),
        (b"\x00\x00\x80", "FL", False),
        (b"1000", "IS", True),
        (b"-0.5\\1e-3 ", "DS", True),
        (b"1000 Qz", "IS", False),
        (b"", "DS", True),
    ],
)
def test_number_values_are_checked_by_vr(value: bytes, vr: str, valid: bool) -> None:
    assert number_value_is_valid(value, vr) is valid


def test_token_pattern_matches_by_kind() -> None:
    identifiers = build_identifier_set(
        [("Qzcanary^Li", "PN"), ("7654321", "LO"), ("20210304", "DA"), ("测试", "LO")]
    )
    blob_pattern = identifying_token_pattern(identifiers, ("gb18030",), short_tokens=False)
    text_pattern = identifying_token_pattern(identifiers, ("gb18030",), short_tokens=True)

    assert bytes_hold_identifier(b"x QZCANARY y", blob_pattern)
    assert bytes_hold_identifier(b"\x007654321\x00", blob_pattern)
    assert not bytes_hold_identifier(b"0.76543219", blob_pattern)
    assert bytes_hold_identifier(b"20210304120000", blob_pattern)
    assert bytes_hold_identifier("测试".encode("gb18030"), blob_pattern)
    assert bytes_hold_identifier("测试".encode(), blob_pattern)
    assert not bytes_hold_identifier(b"AX LI", blob_pattern)
    assert bytes_hold_identifier(b"AX LI", text_pattern)
    assert not bytes_hold_identifier(b"ALIGN", text_pattern)
