"""Canary test: a unique marker in every kind of field must be gone from the written bytes.

The synthetic file plants a canary in every fixed-tag row of the attribute table whose dictionary
VR can hold it, in sequences nested two deep, in private elements and private creators, in the
file meta, in descriptors, narrative text, person names with ideographic components, dates, a
retired attribute and an attribute unknown to the dictionary. Times are the one planted kind
that stays: the modified-dates option keeps the time of day.
"""

import io
from datetime import date, timedelta
from pathlib import Path

import pydicom
import pytest
from pydicom.datadict import dictionary_VR
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian

from annotation_platform.imaging.deid import DeidContext, deidentify_bytes, profile

CONTEXT = DeidContext(b"canary-test-secret-0123456", "CANARYFREE01", 1)
NAME_CANARY = "Qzname"
RETIRED_TEXT_TAG = 0x00080041  # Data Set Subtype, LO, retired
UNKNOWN_PUBLIC_TAG = 0x00180FFF


def _canary_value(index: int, vr: str) -> tuple[object, list[bytes]]:
    """Return a valid value of `vr` holding canary number `index`, and the bytes to search."""
    word = f"CNRY{index:04d}"
    if vr in ("LO", "SH", "CS", "AE", "UC"):
        return word, [word.encode()]
    if vr in ("LT", "ST", "UT"):
        return f"free text {word} end", [word.encode()]
    if vr == "PN":
        return f"{word}^Given=金丝雀{index}^测", [word.encode(), f"金丝雀{index}".encode()]
    if vr == "DA":
        value = (date(1901, 1, 1) + timedelta(days=400 * index)).strftime("%Y%m%d")
        return value, [value.encode()]
    if vr == "DT":
        value = (date(1901, 1, 1) + timedelta(days=400 * index)).strftime("%Y%m%d") + "101010"
        return value, [value[:8].encode()]
    if vr == "TM":
        return "101010", []
    if vr == "UI":
        value = f"1.2.999.77.1{index:04d}9"
        return value, [value.encode()]
    if vr == "DS":
        value = f"-9.{index:03d}e-77"
        return value, [value.encode()]
    if vr == "IS":
        value = f"-77{index:04d}"
        return value, [value.encode()]
    if vr == "AS":
        return "093W", [b"093W"]
    if vr == "UR":
        value = f"http://{word.lower()}.invalid/"
        return value, [value.encode()]
    if vr in ("OB", "UN"):
        return word.encode(), [word.encode()]
    raise KeyError(vr)


def _nested_item(index: int) -> tuple[Dataset, list[bytes]]:
    item = Dataset()
    value, needles = _canary_value(index, "PN")
    item.PatientName = value
    inner = Dataset()
    inner_value, inner_needles = _canary_value(index + 1, "LO")
    inner.PatientID = inner_value
    item.OtherPatientIDsSequence = Sequence([inner])
    block = item.private_block(0x0029, "CANARY PRIVATE NESTED", create=True)
    block.add_new(0x01, "LO", f"CNRYP{index:04d}")
    return item, [*needles, *inner_needles, f"CNRYP{index:04d}".encode()]


def _plant_table_rows(dataset: Dataset) -> list[tuple[str, bytes]]:
    """Set a canary in every fixed-tag table row; return (row tag, needle) pairs to search for."""
    needles: list[tuple[str, bytes]] = []
    resolved = profile.resolve_profile(CONTEXT.options)
    _, rows = profile.load_table()
    for index, row in enumerate(rows, start=10):
        if "X" in row.tag or "GGGG" in row.tag:
            continue
        tag = profile.parse_tag(row.tag)
        if tag >> 16 in (0x0000, 0x0002, 0x0008) and tag & 0xFFFF == 0x0005:
            continue
        if tag >> 16 in (0x0000, 0x0002):
            continue
        vr = dictionary_VR(tag).split(" ")[0]
        action = resolved.action_for(tag)
        if vr == "SQ":
            item, item_needles = _nested_item(index * 10)
            dataset.add_new(tag, "SQ", Sequence([item]))
            needles += [(row.tag, n) for n in item_needles]
            continue
        try:
            value, row_needles = _canary_value(index, vr)
        except KeyError:
            continue
        if action == "C" and vr in ("LO", "SH", "UC", "CS", "PN"):
            # A descriptor is cleaned token-wise: it keeps its words but loses the name.
            value = f"T1 AX {NAME_CANARY}" if vr != "CS" else f"T1 {NAME_CANARY.upper()}"
            row_needles = [NAME_CANARY.encode()]
        dataset.add_new(tag, vr, value)
        needles += [(row.tag, n) for n in row_needles]
    return needles


def _canary_file(implicit: bool) -> tuple[bytes, list[tuple[str, bytes]]]:
    dataset = Dataset()
    dataset.SpecificCharacterSet = "ISO_IR 192"
    needles = _plant_table_rows(dataset)
    # The patient's name also carries the token that the planted descriptors repeat.
    dataset.PatientName = f"{NAME_CANARY}^CNRY0077=金丝雀77^测"
    dataset.SOPClassUID = "1.2.840.10008.5.1.4.1.1.4"
    needles += [("PatientName", NAME_CANARY.encode()), ("PatientName", "金丝雀77".encode())]
    block = dataset.private_block(0x0019, "CNRYCREATOR ACME", create=True)
    block.add_new(0x01, "LO", "CNRYPRIV01")
    block.add_new(0x02, "UN", b"CNRYPRIVBIN")
    block.add_new(0x03, "SQ", Sequence([_nested_item(9000)[0]]))
    dataset.add_new(RETIRED_TEXT_TAG, "LO", "CNRYRETIRED")
    dataset.add_new(UNKNOWN_PUBLIC_TAG, "UN", b"CNRYUNKNOWN1")
    needles += [
        ("private", b"CNRYCREATOR"),
        ("private", b"CNRYPRIV01"),
        ("private", b"CNRYPRIVBIN"),
        ("private", b"CNRYP9000"),
        ("retired", b"CNRYRETIRED"),
        ("unknown", b"CNRYUNKNOWN1"),
    ]
    dataset.file_meta = FileMetaDataset()
    dataset.file_meta.TransferSyntaxUID = (
        ImplicitVRLittleEndian if implicit else (ExplicitVRLittleEndian)
    )
    dataset.file_meta.MediaStorageSOPClassUID = dataset.SOPClassUID
    dataset.file_meta.MediaStorageSOPInstanceUID = dataset.SOPInstanceUID
    dataset.file_meta.SourceApplicationEntityTitle = "CNRYSOURCEAE"
    dataset.file_meta.PrivateInformationCreatorUID = "1.2.999.88.1"
    dataset.file_meta.PrivateInformation = b"CNRYMETAPRIV"
    needles += [("meta", b"CNRYSOURCEAE"), ("meta", b"1.2.999.88.1"), ("meta", b"CNRYMETAPRIV")]
    buffer = io.BytesIO()
    dataset.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue(), needles


@pytest.mark.parametrize("implicit", [False, True])
def test_no_canary_survives(implicit: bool) -> None:
    data, needles = _canary_file(implicit)
    for _, needle in needles:
        assert needle.lower() in data.lower()
    output, _ = deidentify_bytes(data, CONTEXT)
    survivors = sorted({row for row, needle in needles if needle.lower() in output.lower()})
    assert survivors == []


def test_canary_rows_cover_every_string_vr() -> None:
    _, needles = _canary_file(False)
    planted_rows = {row for row, _ in needles}
    assert len(planted_rows) > 450


def test_canary_output_is_valid_dicom(tmp_path: Path) -> None:
    data, _ = _canary_file(False)
    output, report = deidentify_bytes(data, CONTEXT)
    dataset = pydicom.dcmread(io.BytesIO(output))
    assert dataset.PatientIdentityRemoved == "YES"
    assert report.private_removed >= 4
    assert report.unlisted_removed == 2
    assert report.uids_replaced > 40
    assert not any(element.tag.is_private for element in dataset.iterall())
