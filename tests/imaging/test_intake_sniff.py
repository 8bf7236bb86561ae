"""sniff: file kinds come from content; names only break ties."""

import gzip
import io
import struct
import zipfile
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest

from annotation_platform.imaging.intake import FileKind, sniff
from tests.imaging.test_intake_dicom import build_dataset


def nifti_bytes(version: int = 1, endianness: str = "<") -> bytes:
    image_class = nib.Nifti1Image if version == 1 else nib.Nifti2Image
    header_class = nib.Nifti1Header if version == 1 else nib.Nifti2Header
    data = np.zeros((2, 2, 2), dtype=np.int16)
    image = image_class(data, np.eye(4), header=header_class(endianness=endianness))
    return image.to_bytes()


def dicom_bytes(*, preamble: bool = True, implicit_vr: bool = True) -> bytes:
    dataset = build_dataset()
    stream = io.BytesIO()
    if preamble:
        dataset.save_as(stream, enforce_file_format=True)
    else:
        del dataset.file_meta
        dataset.save_as(stream, implicit_vr=implicit_vr, little_endian=True)
    return stream.getvalue()


def zip_bytes() -> bytes:
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w") as archive:
        archive.writestr("IM0001.dcm", b"data")
    return stream.getvalue()


def test_dicom_with_preamble_is_dicom() -> None:
    assert sniff(dicom_bytes(), "IM0001") is FileKind.DICOM


@pytest.mark.parametrize("implicit_vr", [True, False])
def test_dicom_without_preamble_is_dicom(implicit_vr: bool) -> None:
    head = dicom_bytes(preamble=False, implicit_vr=implicit_vr)

    assert sniff(head, "IM0001.txt") is FileKind.DICOM


def test_real_dicom_is_dicom(data_dir: Path) -> None:
    assert sniff(data_dir / "dicom/pydicom-data/emri_small.dcm") is FileKind.DICOM


def test_single_leading_element_needs_dicom_like_name() -> None:
    # One (0008,0005) element that runs to the end of the bytes read: too little to be sure.
    head = struct.pack("<HHI", 0x0008, 0x0005, 10) + b"ISO_IR 100"

    assert sniff(head, "IM0001.dcm") is FileKind.DICOM
    assert sniff(head, "notes.txt") is FileKind.UNKNOWN


@pytest.mark.parametrize(
    "head",
    [
        struct.pack("<HHI", 0x0010, 0x0010, 8) + b"Doe^John" * 10,  # group 0010 does not lead
        struct.pack("<HHI", 0x0008, 0x0005, 0x7FFFFFFF) + bytes(100),  # absurd length
        struct.pack("<HHI", 0x0008, 0x0020, 8)
        + b"20200101"
        + struct.pack("<HHI", 0x0008, 0x0005, 2)
        + b"AB",
    ],
)
def test_implausible_leading_elements_are_unknown(head: bytes) -> None:
    assert sniff(head, "IM0001.txt") is FileKind.UNKNOWN


@pytest.mark.parametrize(("version", "kind"), [(1, FileKind.NIFTI1), (2, FileKind.NIFTI2)])
@pytest.mark.parametrize("endianness", ["<", ">"])
def test_nifti_is_recognised_in_either_byte_order(
    version: int, kind: FileKind, endianness: str
) -> None:
    assert sniff(nifti_bytes(version, endianness), "volume.dat") is kind


def test_analyze_header_without_nifti_magic_is_unknown() -> None:
    head = bytearray(nifti_bytes(1))
    head[344:348] = b"\0\0\0\0"

    assert sniff(bytes(head), "volume.hdr") is FileKind.UNKNOWN


@pytest.mark.parametrize(
    ("payload", "kind"),
    [
        (dicom_bytes(), FileKind.DICOM_GZ),
        (nifti_bytes(1), FileKind.NIFTI1_GZ),
        (nifti_bytes(2), FileKind.NIFTI2_GZ),
        (zip_bytes(), FileKind.GZIP_ARCHIVE),
        (gzip.compress(b"inner"), FileKind.GZIP_ARCHIVE),
        (b"plain text", FileKind.GZIP_UNKNOWN),
    ],
)
def test_gzip_is_classified_by_its_content(payload: bytes, kind: FileKind) -> None:
    assert sniff(gzip.compress(payload), "upload.gz") is kind


def test_real_compressed_files_are_recognised(data_dir: Path) -> None:
    dicom_gz = (
        data_dir / "dicom/philips/ingenia_elition_3dpcasl_series1901/dicom_classic/1901_0001.dcm.gz"
    )
    nifti_gz = data_dir / "brats-like/BraTS-METS-sample-AURORA/t1.nii.gz"

    assert sniff(dicom_gz) is FileKind.DICOM_GZ
    assert sniff(nifti_gz) is FileKind.NIFTI1_GZ


def test_gzip_bomb_peek_is_bounded() -> None:
    # 100 MiB of zeros compress to about 100 KiB; sniff inflates only the first kilobyte.
    bomb = gzip.compress(bytes(100 * 1024 * 1024))

    assert sniff(bomb[:65536], "bomb.gz") is FileKind.GZIP_UNKNOWN


def test_zip_is_zip() -> None:
    assert sniff(zip_bytes(), "upload.bin") is FileKind.ZIP


def test_extension_alone_decides_nothing() -> None:
    assert sniff(b"just some text, not an image at all" * 20, "IM0001.dcm") is FileKind.UNKNOWN
    assert sniff(zip_bytes(), "IM0001.dcm") is FileKind.ZIP


def test_empty_file_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "IM0001.dcm"
    path.write_bytes(b"")

    assert sniff(path) is FileKind.EMPTY
