"""check_dicom: header-only acceptance of DICOM images and rejection of everything else."""

from pathlib import Path

import numpy as np
import pytest
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import (
    UID,
    BasicTextSRStorage,
    DeflatedExplicitVRLittleEndian,
    ExplicitVRLittleEndian,
    GrayscaleSoftcopyPresentationStateStorage,
    MediaStorageDirectoryStorage,
    MRImageStorage,
    SegmentationStorage,
    generate_uid,
)

from annotation_platform.errors import ActionableError
from annotation_platform.imaging.intake import check_dicom

INVENTED_PATIENT_NAME = "Testpatient^Invented"


def build_dataset(
    sop_class: str = MRImageStorage,
    *,
    rows: int = 8,
    columns: int = 8,
    frames: int | None = None,
    pixel_data: bytes | None = None,
    transfer_syntax: str = ExplicitVRLittleEndian,
) -> Dataset:
    """Return a small MR-like data set with 16-bit pixel data, or none when sop_class needs none."""
    dataset = Dataset()
    dataset.file_meta = FileMetaDataset()
    dataset.file_meta.MediaStorageSOPClassUID = UID(sop_class)
    dataset.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    dataset.file_meta.TransferSyntaxUID = UID(transfer_syntax)
    dataset.SOPClassUID = sop_class
    dataset.SOPInstanceUID = dataset.file_meta.MediaStorageSOPInstanceUID
    dataset.SeriesInstanceUID = generate_uid()
    dataset.PatientName = INVENTED_PATIENT_NAME
    dataset.Modality = "MR"
    dataset.Rows = rows
    dataset.Columns = columns
    dataset.BitsAllocated = 16
    dataset.BitsStored = 16
    dataset.HighBit = 15
    dataset.PixelRepresentation = 0
    dataset.SamplesPerPixel = 1
    dataset.PhotometricInterpretation = "MONOCHROME2"
    if frames is not None:
        dataset.NumberOfFrames = frames
    if pixel_data is None:
        pixel_data = np.arange(rows * columns * (frames or 1), dtype=np.uint16).tobytes()
    dataset.PixelData = pixel_data
    return dataset


def write_mr_dicom(path: Path, **options: object) -> Path:
    """Write a small valid MR Image Storage file (preamble and file meta) and return its path."""
    build_dataset(**options).save_as(path, enforce_file_format=True)  # type: ignore[arg-type]
    return path


def write_without_pixels(path: Path, sop_class: str) -> Path:
    dataset = build_dataset(sop_class)
    del dataset.PixelData
    dataset.save_as(path, enforce_file_format=True)
    return path


def error_of(path: Path) -> ActionableError:
    with pytest.raises(ActionableError) as caught:
        check_dicom(path, name="upload.dcm")
    return caught.value


@pytest.mark.parametrize(
    "relative_path",
    [
        "dicom/ge/nih_discovery_mr750_epi_series4/dicom/axial_epi_fmri_interleaved_i_to_s-00001.dcm",
        "dicom/siemens/trio_transfer_syntaxes/dicom/1.dcm",  # explicit VR little endian
        "dicom/siemens/trio_transfer_syntaxes/dicom/2.dcm",  # implicit VR little endian
        "dicom/siemens/trio_transfer_syntaxes/dicom/3.dcm",  # explicit VR big endian
        "dicom/siemens/trio_transfer_syntaxes/dicom/4.dcm",  # RLE
        "dicom/siemens/trio_transfer_syntaxes/dicom/5.dcm",  # JPEG lossless
        "dicom/siemens/trio_transfer_syntaxes/dicom/7.dcm",  # JPEG-LS
        "dicom/siemens/trio_transfer_syntaxes/dicom/9.dcm",  # JPEG 2000
    ],
)
def test_real_mr_image_is_accepted(data_dir: Path, relative_path: str) -> None:
    check = check_dicom(data_dir / relative_path)

    assert check.sop_class_name == "MR Image Storage"
    assert check.skip_code is None
    assert check.rows > 0
    assert check.columns > 0


def test_real_encapsulated_image_is_marked_encapsulated(data_dir: Path) -> None:
    check = check_dicom(data_dir / "dicom/siemens/trio_transfer_syntaxes/dicom/9.dcm")

    assert check.encapsulated
    assert check.transfer_syntax_uid == "1.2.840.10008.1.2.4.90"


def test_enhanced_multiframe_image_is_accepted(data_dir: Path) -> None:
    check = check_dicom(data_dir / "dicom/pydicom-data/emri_small.dcm")

    assert check.sop_class_name == "Enhanced MR Image Storage"
    assert check.number_of_frames == 10
    assert check.is_multiframe


def test_synthetic_image_is_accepted(tmp_path: Path) -> None:
    check = check_dicom(write_mr_dicom(tmp_path / "slice.dcm"))

    assert check.rows == 8
    assert check.bits_allocated == 16
    assert check.has_preamble
    assert not check.encapsulated


def test_file_without_preamble_is_accepted(tmp_path: Path) -> None:
    dataset = build_dataset()
    del dataset.file_meta
    path = tmp_path / "IM0001"
    dataset.save_as(path, implicit_vr=True, little_endian=True)

    check = check_dicom(path)

    assert not check.has_preamble
    assert check.transfer_syntax_uid == ""
    assert check.sop_class_name == "MR Image Storage"


def test_text_file_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "notes.dcm"
    path.write_text("not an image\n" * 40)

    assert error_of(path).code == "DICOM_UNREADABLE"


def test_garbage_after_dicm_prefix_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "broken.dcm"
    path.write_bytes(b"\0" * 128 + b"DICM" + bytes(range(256)) * 4)

    assert error_of(path).code in ("DICOM_UNREADABLE", "DICOM_TRUNCATED")


@pytest.mark.parametrize("missing_bytes", [1, 2, 100, 300])
def test_truncated_native_pixel_data_is_rejected(tmp_path: Path, missing_bytes: int) -> None:
    data = write_mr_dicom(tmp_path / "whole.dcm", rows=16, columns=16).read_bytes()
    path = tmp_path / "cut.dcm"
    path.write_bytes(data[:-missing_bytes])

    error = error_of(path)

    assert error.code == "DICOM_TRUNCATED"
    assert error.params["name"] == "upload.dcm"


@pytest.mark.parametrize("missing_bytes", [3, 5000, 100_000])
def test_truncated_encapsulated_pixel_data_is_rejected(
    data_dir: Path, tmp_path: Path, missing_bytes: int
) -> None:
    data = (data_dir / "dicom/siemens/trio_transfer_syntaxes/dicom/7.dcm").read_bytes()
    path = tmp_path / "cut.dcm"
    path.write_bytes(data[:-missing_bytes])

    assert error_of(path).code == "DICOM_TRUNCATED"


@pytest.mark.parametrize("kept_bytes", [150, 200, 400, 498, 560, 664])
def test_file_cut_inside_header_is_truncated(tmp_path: Path, kept_bytes: int) -> None:
    data = write_mr_dicom(tmp_path / "whole.dcm").read_bytes()
    path = tmp_path / "cut.dcm"
    path.write_bytes(data[:kept_bytes])

    assert error_of(path).code == "DICOM_TRUNCATED"


def test_pixel_data_shorter_than_image_is_truncated(tmp_path: Path) -> None:
    # The header declares 8 x 8 16-bit pixels (128 bytes), the value contains 64.
    path = write_mr_dicom(tmp_path / "short.dcm", pixel_data=bytes(64))

    assert error_of(path).code == "DICOM_TRUNCATED"


def test_missing_frames_are_truncated(tmp_path: Path) -> None:
    # NumberOfFrames 3, but pixel data for 2 frames only.
    path = write_mr_dicom(tmp_path / "frames.dcm", frames=3, pixel_data=bytes(2 * 8 * 8 * 2))

    assert error_of(path).code == "DICOM_TRUNCATED"


@pytest.mark.parametrize(
    ("sop_class", "class_name"),
    [
        (BasicTextSRStorage, "Basic Text SR Storage"),
        (
            GrayscaleSoftcopyPresentationStateStorage,
            "Grayscale Softcopy Presentation State Storage",
        ),
    ],
)
def test_non_image_object_is_not_an_image(tmp_path: Path, sop_class: str, class_name: str) -> None:
    error = error_of(write_without_pixels(tmp_path / "object.dcm", sop_class))

    assert error.code == "DICOM_NOT_AN_IMAGE"
    assert error.params["sop_class_name"] == class_name
    assert "Only images are imported" in error.message


def test_segmentation_with_pixel_data_is_not_an_image(tmp_path: Path) -> None:
    error = error_of(write_mr_dicom(tmp_path / "seg.dcm", sop_class=SegmentationStorage))

    assert error.code == "DICOM_NOT_AN_IMAGE"
    assert error.params["sop_class_name"] == "Segmentation Storage"


def test_mr_image_without_pixels_is_rejected(tmp_path: Path) -> None:
    error = error_of(write_without_pixels(tmp_path / "empty.dcm", MRImageStorage))

    assert error.code == "DICOM_NOT_AN_IMAGE"
    assert "incomplete" in error.message


def test_real_file_without_pixels_is_rejected(data_dir: Path) -> None:
    with pytest.raises(ActionableError) as caught:
        check_dicom(data_dir / "charset/chrSQEncoding.dcm")

    assert caught.value.code == "DICOM_NOT_AN_IMAGE"


def test_dicomdir_is_skipped_with_note(tmp_path: Path) -> None:
    dataset = Dataset()
    dataset.file_meta = FileMetaDataset()
    dataset.file_meta.MediaStorageSOPClassUID = MediaStorageDirectoryStorage
    dataset.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    dataset.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    dataset.FileSetID = "TEST"
    dataset.DirectoryRecordSequence = Sequence()
    path = tmp_path / "DICOMDIR"
    dataset.save_as(path, enforce_file_format=True)

    check = check_dicom(path)

    assert check.skip_code == "DICOMDIR_SKIPPED"


def test_deflated_transfer_syntax_is_rejected(tmp_path: Path) -> None:
    path = write_mr_dicom(tmp_path / "deflated.dcm", transfer_syntax=DeflatedExplicitVRLittleEndian)

    error = error_of(path)

    assert error.code == "DICOM_UNSUPPORTED_TRANSFER_SYNTAX"
    assert error.params["transfer_syntax_uid"] == DeflatedExplicitVRLittleEndian


def test_messages_never_contain_patient_name(tmp_path: Path) -> None:
    paths = [
        write_mr_dicom(tmp_path / "short.dcm", pixel_data=bytes(64)),
        write_without_pixels(tmp_path / "sr.dcm", BasicTextSRStorage),
    ]
    for path in paths:
        error = error_of(path)

        assert "Testpatient" not in error.message
        assert "Testpatient" not in repr(error.params)
