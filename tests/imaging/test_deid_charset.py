"""Chinese names in GB18030, GBK, UTF-8, ISO 2022 IR 58 and mislabelled sets (case C22)."""

import io
import json
import warnings
from pathlib import Path

import pydicom
import pytest

from annotation_platform.imaging.deid import DeidContext, deidentify_bytes, display_names

CONTEXT = DeidContext(b"charset-test-secret-0123", "GLI0002", 12)


@pytest.fixture(scope="module")
def c22(cases_dir: Path) -> tuple[Path, dict]:
    folder = cases_dir / "C22"
    return folder, json.loads((folder / "expected.json").read_text())["expected"]


def _strict_decode_all(output: bytes) -> pydicom.Dataset:
    """Read the file and decode every text value, failing on any decoding warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        dataset = pydicom.dcmread(io.BytesIO(output))
        dataset.decode()
        for element in dataset.iterall():
            _ = element.value
    return dataset


@pytest.mark.parametrize("name", ["a_gb18030.dcm", "b_utf8.dcm", "c_iso2022_ir58.dcm", "f_gbk.dcm"])
def test_display_name_decodes_correctly(c22: tuple[Path, dict], name: str) -> None:
    folder, expected = c22
    names = display_names((folder / name).read_bytes())
    assert names.patient_name == expected["display_before_deid_for_admin"][name]
    assert names.institution == "测试医院影像科"
    assert names.possibly_misdecoded is False
    assert "\x1b" not in names.patient_name
    assert "$)A" not in names.institution


@pytest.mark.parametrize("name", ["d_gbk_declared_latin1.dcm", "e_gbk_no_charset.dcm"])
def test_mislabelled_charset_is_flagged(c22: tuple[Path, dict], name: str) -> None:
    folder, _ = c22
    names = display_names((folder / name).read_bytes())
    assert names.possibly_misdecoded is True
    assert names.patient_name == "Ceshi^Lingyi=测试^零一"
    assert names.charset == "GB18030"


def test_display_names_hide_values_in_repr(c22: tuple[Path, dict]) -> None:
    folder, _ = c22
    names = display_names((folder / "a_gb18030.dcm").read_bytes())
    assert "Ceshi" not in repr(names)


def test_no_forbidden_byte_form_after_deid(c22: tuple[Path, dict]) -> None:
    folder, expected = c22
    forbidden = expected["forbidden_after_deid"]["byte_forms_hex"]
    for path in sorted(folder.glob("*.dcm")):
        output, _ = deidentify_bytes(path.read_bytes(), CONTEXT)
        lowered = output.lower()
        for token, forms in forbidden.items():
            for form in forms:
                assert bytes.fromhex(form).lower() not in lowered, (path.name, token)


def test_output_decodes_cleanly_as_utf8(c22: tuple[Path, dict]) -> None:
    folder, _ = c22
    for path in sorted(folder.glob("*.dcm")):
        output, _ = deidentify_bytes(path.read_bytes(), CONTEXT)
        dataset = _strict_decode_all(output)
        assert dataset.SpecificCharacterSet == "ISO_IR 192"
        assert str(dataset.PatientName) == "GLI0002"
        assert b"\x1b" not in output


def test_pydicom_charset_files_never_crash(data_dir: Path) -> None:
    for path in sorted((data_dir / "charset").glob("*.dcm")):
        data = path.read_bytes()
        names = display_names(data)
        assert "\x1b" not in names.patient_name
        output, _ = deidentify_bytes(data, CONTEXT)
        dataset = _strict_decode_all(output)
        assert dataset.SpecificCharacterSet == "ISO_IR 192"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("chrRuss.dcm", "Люкceмбypг"),
        ("chrH31.dcm", "Yamada^Tarou=山田^太郎=やまだ^たろう"),
        ("chrI2.dcm", "Hong^Gildong=洪^吉洞=홍^길동"),
        ("chrX2.dcm", "Wang^XiaoDong=王^小东="),
        ("chrFren.dcm", "Buc^Jérôme"),
    ],
)
def test_display_names_of_other_sets(data_dir: Path, name: str, expected: str) -> None:
    names = display_names((data_dir / "charset" / name).read_bytes())
    assert names.patient_name == expected
    assert names.possibly_misdecoded is False


def test_kept_non_ascii_text_is_reencoded(tmp_path: Path) -> None:
    dataset = pydicom.Dataset()
    dataset.SpecificCharacterSet = "GB18030"
    dataset.SOPClassUID = "1.2.840.10008.5.1.4.1.1.4"
    dataset.SOPInstanceUID = "1.2.3.4"
    dataset.Manufacturer = "联影医疗"
    dataset.PatientName = "王^小东"
    dataset.file_meta = pydicom.dataset.FileMetaDataset()
    dataset.file_meta.TransferSyntaxUID = pydicom.uid.ExplicitVRLittleEndian
    buffer = io.BytesIO()
    dataset.save_as(buffer, enforce_file_format=True)
    output, report = deidentify_bytes(buffer.getvalue(), CONTEXT)
    result = _strict_decode_all(output)
    assert result.Manufacturer == "联影医疗"
    assert "联影医疗".encode() in output
    assert report.values_transcoded == 1
    assert "王".encode("gb18030") not in output
