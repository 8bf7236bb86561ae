"""scan_upload: an upload is accepted whole, or rejected with every problem listed."""

import gzip
import io
import logging
import zipfile
from pathlib import Path

import pydicom
import pytest

from annotation_platform.errors import ActionableError
from annotation_platform.imaging.intake import FileKind, IntakeLimits, scan_upload
from tests.imaging.test_intake_archives import RawEntry, build_zip
from tests.imaging.test_intake_dicom import build_dataset, write_mr_dicom
from tests.imaging.test_intake_nifti import patch_header, write_nifti

LIMITS = IntakeLimits()
PHILIPS_CLASSIC = "dicom/philips/ingenia_elition_3dpcasl_series1901/dicom_classic"
GE_SLICE = (
    "dicom/ge/nih_discovery_mr750_epi_series4/dicom/axial_epi_fmri_interleaved_i_to_s-00001.dcm"
)
BRATS_T1 = "brats-like/BraTS-GLI-00001-000/BraTS-GLI-00001-000-t1n.nii.gz"


@pytest.fixture
def work_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "work"
    folder.mkdir()
    return folder


def upload(*paths: Path) -> list[tuple[Path, str]]:
    return [(path, path.name) for path in paths]


def rejection(
    files: list[tuple[Path, str]], work_dir: Path, limits: IntakeLimits = LIMITS
) -> ActionableError:
    with pytest.raises(ActionableError) as caught:
        scan_upload(files, limits, work_dir)
    return caught.value


def problem_codes(error: ActionableError) -> list[str]:
    return [problem["code"] for problem in error.params["problems"]]


def zip_of(path: Path, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


# The C23 archives.


def test_clean_archive_is_one_series_of_two_slices(cases_dir: Path, work_dir: Path) -> None:
    report = scan_upload(upload(cases_dir / "C23/upload_clean_control.zip"), LIMITS, work_dir)

    assert [item.kind for item in report.accepted] == [FileKind.DICOM, FileKind.DICOM]
    assert [item.name for item in report.accepted] == [
        "upload_clean_control.zip > study/IM0001.dcm",
        "upload_clean_control.zip > study/IM0002.dcm",
    ]
    series = {
        pydicom.dcmread(item.path, stop_before_pixels=True).SeriesInstanceUID
        for item in report.accepted
    }
    assert len(series) == 1
    assert all(item.path.is_relative_to(report.work_dir) for item in report.accepted)


def test_traversal_archive_rejects_whole_upload(cases_dir: Path, work_dir: Path) -> None:
    files = upload(
        cases_dir / "C23/upload_clean_control.zip", cases_dir / "C23/upload_path_traversal.zip"
    )

    error = rejection(files, work_dir)

    assert error.code == "UPLOAD_REJECTED"
    assert error.params["count"] == 5
    assert set(problem_codes(error)) == {"UNSAFE_ARCHIVE_ENTRY"}
    assert "upload_path_traversal.zip > study/link_to_passwd" in [
        p["name"] for p in error.params["problems"]
    ]
    # Nothing of the upload is left, the clean archive's slices included, and nothing escaped.
    assert list(work_dir.iterdir()) == []
    assert not list(work_dir.parent.rglob("qa_zip_slip*"))


def test_duplicate_names_archive_is_rejected(cases_dir: Path, work_dir: Path) -> None:
    error = rejection(upload(cases_dir / "C23/upload_duplicate_names.zip"), work_dir)

    assert problem_codes(error) == ["DUPLICATE_ARCHIVE_ENTRY"]


# Real files on the accept path.


def test_real_upload_files_are_accepted(data_dir: Path, work_dir: Path) -> None:
    files = upload(
        data_dir / GE_SLICE, data_dir / PHILIPS_CLASSIC / "1901_0001.dcm.gz", data_dir / BRATS_T1
    )

    report = scan_upload(files, LIMITS, work_dir)

    kinds = [item.kind for item in report.accepted]
    assert kinds == [FileKind.DICOM, FileKind.DICOM, FileKind.NIFTI1_GZ]
    assert report.accepted[0].path == data_dir / GE_SLICE
    assert report.accepted[1].path.read_bytes()[128:132] == b"DICM"
    assert report.accepted[1].path.is_relative_to(report.work_dir)
    assert report.accepted[2].nifti is not None
    assert report.accepted[2].nifti.shape == (240, 240, 155)
    assert [item.upload_index for item in report.accepted] == [0, 1, 2]
    assert report.inflated_bytes == report.accepted[1].path.stat().st_size


def test_compressed_dicom_inside_archive_is_accepted(
    data_dir: Path, tmp_path: Path, work_dir: Path
) -> None:
    members = sorted((data_dir / PHILIPS_CLASSIC).glob("*.dcm.gz"))[:3]
    archive = zip_of(
        tmp_path / "series.zip", {f"series/{path.name}": path.read_bytes() for path in members}
    )

    report = scan_upload(upload(archive), LIMITS, work_dir)

    assert len(report.accepted) == 3
    assert all(item.dicom is not None for item in report.accepted)
    assert report.accepted[0].name == "series.zip > series/1901_0001.dcm.gz"


# Upload-level errors.


def test_empty_upload_is_rejected(work_dir: Path) -> None:
    assert rejection([], work_dir).code == "UPLOAD_EMPTY"


def test_upload_of_empty_files_is_rejected(tmp_path: Path, work_dir: Path) -> None:
    empty = tmp_path / "IM0001.dcm"
    empty.write_bytes(b"")

    assert rejection(upload(empty), work_dir).code == "UPLOAD_EMPTY"


def test_upload_over_size_limit_is_rejected(tmp_path: Path, work_dir: Path) -> None:
    path = write_mr_dicom(tmp_path / "IM0001.dcm")

    error = rejection(upload(path), work_dir, IntakeLimits(max_upload_bytes=500))

    assert error.code == "UPLOAD_TOO_LARGE"
    assert error.params["size_bytes"] == path.stat().st_size
    assert error.params["limit_bytes"] == 500
    assert "Split it into several uploads" in error.message
    assert "import command" in error.message


def test_upload_of_only_dicomdir_has_no_images(tmp_path: Path, work_dir: Path) -> None:
    dataset = build_dataset("1.2.840.10008.1.3.10")
    del dataset.PixelData
    dataset.DirectoryRecordSequence = pydicom.Sequence()
    dataset.save_as(tmp_path / "DICOMDIR", enforce_file_format=True)

    error = rejection(upload(tmp_path / "DICOMDIR"), work_dir)

    assert error.code == "UPLOAD_EMPTY"
    assert error.params["skipped_count"] == 1


# Problems are collected across files.


def test_every_problem_is_listed(tmp_path: Path, work_dir: Path) -> None:
    good = write_mr_dicom(tmp_path / "good.dcm")
    truncated = tmp_path / "cut.dcm"
    truncated.write_bytes(good.read_bytes()[:-10])
    huge = patch_header(
        write_nifti(tmp_path / "huge.nii"), dim=[3, 32767, 32767, 32767, 1, 1, 1, 1]
    )
    text = tmp_path / "notes.txt"
    text.write_text("scan notes")
    empty = tmp_path / "empty.dcm"
    empty.write_bytes(b"")

    error = rejection(upload(good, truncated, huge, text, empty), work_dir)

    assert error.params["count"] == 4
    assert problem_codes(error) == [
        "DICOM_TRUNCATED",
        "NIFTI_TOO_LARGE",
        "UNSUPPORTED_FILE",
        "FILE_EMPTY",
    ]
    assert [problem["name"] for problem in error.params["problems"]] == [
        "cut.dcm",
        "huge.nii",
        "notes.txt",
        "empty.dcm",
    ]
    assert all(problem["message"] for problem in error.params["problems"])


def test_problem_list_is_capped_but_counted(tmp_path: Path, work_dir: Path) -> None:
    archive = tmp_path / "upload.zip"
    archive.write_bytes(build_zip([RawEntry(f"../x{number}".encode()) for number in range(70)]))

    error = rejection(upload(archive), work_dir)

    assert len(error.params["problems"]) == 50
    assert error.params["count"] == 70


def test_renamed_text_file_names_its_suffix(tmp_path: Path, work_dir: Path) -> None:
    fake = tmp_path / "IM0001.dcm"
    fake.write_text("this is not DICOM" * 20)

    error = rejection(upload(fake), work_dir)

    assert problem_codes(error) == ["UNSUPPORTED_FILE"]
    assert error.params["problems"][0]["params"]["suffix"] == ".dcm"


def test_compressed_text_file_is_unsupported(tmp_path: Path, work_dir: Path) -> None:
    compressed = tmp_path / "notes.txt.gz"
    compressed.write_bytes(gzip.compress(b"scan notes"))

    error = rejection(upload(compressed), work_dir)

    assert problem_codes(error) == ["UNSUPPORTED_FILE"]
    assert "gzip" in error.params["problems"][0]["message"]


def test_zip_inside_zip_is_rejected(tmp_path: Path, work_dir: Path) -> None:
    inner = zip_of(
        tmp_path / "inner.zip", {"IM0001.dcm": write_mr_dicom(tmp_path / "a.dcm").read_bytes()}
    )
    outer = zip_of(tmp_path / "outer.zip", {"inner.zip": inner.read_bytes()})

    error = rejection(upload(outer), work_dir)

    assert problem_codes(error) == ["NESTED_ARCHIVE"]
    assert error.params["problems"][0]["name"] == "outer.zip > inner.zip"


def test_compressed_zip_is_rejected(tmp_path: Path, work_dir: Path) -> None:
    archive = zip_of(tmp_path / "upload.zip", {"IM0001.dcm": b"data"})
    compressed = tmp_path / "upload.zip.gz"
    compressed.write_bytes(gzip.compress(archive.read_bytes()))

    assert problem_codes(rejection(upload(compressed), work_dir)) == ["NESTED_ARCHIVE"]


def test_archive_without_files_is_rejected(tmp_path: Path, work_dir: Path) -> None:
    archive = zip_of(tmp_path / "upload.zip", {"study/": b"", "study/.DS_Store": b"finder"})

    assert problem_codes(rejection(upload(archive), work_dir)) == ["ARCHIVE_EMPTY"]


def test_bad_file_inside_archive_is_named_with_archive(tmp_path: Path, work_dir: Path) -> None:
    good = write_mr_dicom(tmp_path / "good.dcm").read_bytes()
    archive = zip_of(
        tmp_path / "upload.zip", {"study/IM0001.dcm": good, "study/IM0002.dcm": good[:-50]}
    )

    error = rejection(upload(archive), work_dir)

    assert [problem["name"] for problem in error.params["problems"]] == [
        "upload.zip > study/IM0002.dcm"
    ]
    assert problem_codes(error) == ["DICOM_TRUNCATED"]


def test_inflation_budget_covers_whole_upload(tmp_path: Path, work_dir: Path) -> None:
    slice_bytes = write_mr_dicom(tmp_path / "a.dcm", rows=64, columns=64).read_bytes()
    first = tmp_path / "a.dcm.gz"
    first.write_bytes(gzip.compress(slice_bytes))
    second = tmp_path / "b.dcm.gz"
    second.write_bytes(gzip.compress(slice_bytes))
    limits = IntakeLimits(max_uncompressed_bytes=len(slice_bytes) + 100)

    error = rejection(upload(first, second), work_dir, limits)

    assert problem_codes(error) == ["GZIP_TOO_LARGE"]
    assert error.params["problems"][0]["name"] == "b.dcm.gz"


# Skipped files and privacy.


def test_desktop_metadata_is_skipped_quietly(tmp_path: Path, work_dir: Path) -> None:
    slice_path = write_mr_dicom(tmp_path / "IM0001.dcm")
    junk = tmp_path / ".DS_Store"
    junk.write_bytes(b"\0\0\0\1Bud1" + bytes(100))

    report = scan_upload(
        [(slice_path, "study/IM0001.dcm"), (junk, "study/.DS_Store")], LIMITS, work_dir
    )

    assert [item.name for item in report.accepted] == ["study/IM0001.dcm"]
    assert report.skipped == []


def test_dicomdir_is_skipped_with_note(tmp_path: Path, work_dir: Path) -> None:
    dataset = build_dataset("1.2.840.10008.1.3.10")
    del dataset.PixelData
    dataset.DirectoryRecordSequence = pydicom.Sequence()
    dataset.save_as(tmp_path / "DICOMDIR", enforce_file_format=True)
    slice_path = write_mr_dicom(tmp_path / "IM0001.dcm")

    report = scan_upload(upload(tmp_path / "DICOMDIR", slice_path), LIMITS, work_dir)

    assert len(report.accepted) == 1
    assert [note.code for note in report.skipped] == ["DICOMDIR_SKIPPED"]
    assert report.skipped[0].name == "DICOMDIR"


def test_file_names_never_reach_logs(
    tmp_path: Path, work_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    good = write_mr_dicom(tmp_path / "a.dcm").read_bytes()
    archive = tmp_path / "upload.zip"
    archive.write_bytes(build_zip([RawEntry(b"Zhang^San_T1/IM0001.dcm", payload=good[:-40])]))
    renamed = tmp_path / "Li^Si_FLAIR.dcm"
    renamed.write_bytes(b"not dicom" * 30)

    with caplog.at_level(logging.DEBUG, logger="annotation_platform"):
        error = rejection([(archive, "Wang^Wu_study.zip"), (renamed, "Li^Si_FLAIR.dcm")], work_dir)

    assert error.params["count"] == 2
    assert "Zhang" not in caplog.text
    assert "Li^Si" not in caplog.text
    assert "Wang" not in caplog.text
    assert "upload scanned" in caplog.text


def test_accepted_files_stay_in_work_folder(tmp_path: Path, work_dir: Path) -> None:
    stream = io.BytesIO()
    build_dataset().save_as(stream, enforce_file_format=True)
    archive = zip_of(tmp_path / "upload.zip", {"IM0001.dcm": stream.getvalue()})

    report = scan_upload(upload(archive), LIMITS, work_dir)

    assert report.work_dir.parent == work_dir
    assert report.accepted[0].path.read_bytes() == stream.getvalue()
    assert report.upload_bytes == archive.stat().st_size
