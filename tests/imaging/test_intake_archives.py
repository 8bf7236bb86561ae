"""inspect_archive and extract_archive: hostile zips are rejected whole, before extraction."""

import io
import json
import random
import stat
import struct
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest

from annotation_platform.errors import ActionableError
from annotation_platform.imaging.intake import (
    ByteBudget,
    IntakeLimits,
    extract_archive,
    inspect_archive,
)

LIMITS = IntakeLimits()
DOS_DATE_1980_01_01 = (0 << 9) | (1 << 5) | 1
REGULAR_FILE = (stat.S_IFREG | 0o644) << 16


@dataclass
class RawEntry:
    """One entry of a zip built byte by byte, so that every declared field can lie."""

    name: bytes
    payload: bytes = b"data"
    method: int = zipfile.ZIP_DEFLATED
    flags: int = 0
    external_attr: int = REGULAR_FILE
    declared_size: int | None = None
    zip64_size: int | None = None
    header_offset: int | None = None


def build_zip(
    entries: list[RawEntry], *, prefix: bytes = b"", declared_count: int | None = None
) -> bytes:
    """Return the bytes of a zip archive with the given entries (APPNOTE 4.3 layouts)."""
    body = bytearray(prefix)
    central = bytearray()
    for entry in entries:
        offset = len(body)
        data = _compress(entry.payload, entry.method)
        size = entry.declared_size if entry.declared_size is not None else len(entry.payload)
        crc = zlib.crc32(entry.payload)
        extra = b""
        sizes = (len(data), size)
        if entry.zip64_size is not None:
            extra = struct.pack("<2H2Q", 1, 16, entry.zip64_size, len(data))
            sizes = (0xFFFFFFFF, 0xFFFFFFFF)
        body += struct.pack(
            "<4s2B4HL2L2H", b"PK\x03\x04", 45, 0, entry.flags, entry.method, 0,
            DOS_DATE_1980_01_01, crc, *sizes, len(entry.name), len(extra),
        )  # fmt: skip
        body += entry.name + extra + data
        header_offset = offset if entry.header_offset is None else entry.header_offset
        central += struct.pack(
            "<4s4B4HL2L5H2L", b"PK\x01\x02", 45, 3, 45, 0, entry.flags, entry.method, 0,
            DOS_DATE_1980_01_01, crc, *sizes, len(entry.name), len(extra), 0, 0, 0,
            entry.external_attr, header_offset,
        )  # fmt: skip
        central += entry.name + extra
    count = len(entries) if declared_count is None else declared_count
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(central), len(body), 0)
    return bytes(body + central + end)


def _compress(payload: bytes, method: int) -> bytes:
    if method == zipfile.ZIP_STORED:
        return payload
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(payload) + compressor.flush()


def write_zip(path: Path, files: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> Path:
    """Write a zip with Python's zipfile, as a desktop tool would."""
    with zipfile.ZipFile(path, "w", compression=compression) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def add_symlink(path: Path, name: str, target: str) -> None:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr(info, target)


def error_of(path: Path, limits: IntakeLimits = LIMITS) -> ActionableError:
    with pytest.raises(ActionableError) as caught:
        inspect_archive(path, limits, name="upload.zip")
    return caught.value


def listed_entries(error: ActionableError) -> list[str]:
    return [problem["name"] for problem in error.params["problems"]]


def all_files(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if not path.is_dir())


# The three C23 archives.


def test_clean_archive_lists_both_slices(cases_dir: Path) -> None:
    entries = inspect_archive(cases_dir / "C23/upload_clean_control.zip", LIMITS)

    assert [entry.name for entry in entries] == ["study/IM0001.dcm", "study/IM0002.dcm"]


def test_traversal_archive_lists_every_offending_entry(cases_dir: Path) -> None:
    expected = json.loads((cases_dir / "C23/expected.json").read_text())["expected"]
    offending = expected["upload_path_traversal.zip"]["offending_entries"]

    error = error_of(cases_dir / "C23/upload_path_traversal.zip")

    assert error.code == "UNSAFE_ARCHIVE_ENTRY"
    assert sorted(listed_entries(error)) == sorted(offending)
    assert error.params["count"] == len(offending)
    assert all(problem["code"] == "UNSAFE_ARCHIVE_ENTRY" for problem in error.params["problems"])


def test_traversal_archive_extracts_nothing(cases_dir: Path, tmp_path: Path) -> None:
    dest = tmp_path / "upload" / "extracted"

    with pytest.raises(ActionableError):
        extract_archive(cases_dir / "C23/upload_path_traversal.zip", dest, LIMITS)

    assert all_files(tmp_path) == []
    assert not any(path.is_symlink() for path in tmp_path.rglob("*"))


def test_duplicate_names_archive_is_rejected(cases_dir: Path) -> None:
    error = error_of(cases_dir / "C23/upload_duplicate_names.zip")

    assert error.code == "DUPLICATE_ARCHIVE_ENTRY"
    assert listed_entries(error) == ["study/IM0001.dcm"]
    assert error.params["problems"][0]["params"]["other_entry"] == "study/IM0001.dcm"


# Entry names and types.


@pytest.mark.parametrize(
    "names",
    [
        ["study/IM0001.dcm", "STUDY/im0001.DCM"],
        [unicodedata.normalize("NFC", "study/é.dcm"), unicodedata.normalize("NFD", "study/é.dcm")],
        ["study/IM0001.dcm", "study\\IM0001.dcm"],
        ["study/IM0001.dcm", "./study//IM0001.dcm"],
    ],
)
def test_colliding_names_are_duplicates(tmp_path: Path, names: list[str]) -> None:
    entries = [RawEntry(name.encode("utf-8"), flags=0x800) for name in names]
    path = tmp_path / "upload.zip"
    path.write_bytes(build_zip(entries))

    assert error_of(path).code == "DUPLICATE_ARCHIVE_ENTRY"


@pytest.mark.parametrize(
    "name",
    [
        b"study/IM\x0001.dcm",
        b"study/IM\x1b[31m.dcm",
        "study/\u202egpj.dcm".encode(),
        b"../../x",
        b"study/../../x",
        b"study/..\\..\\x",
        b"/etc/x",
        b"\\\\server\\share\\x",
        b"C:/x",
        b"study/C:/x",
        b"study/IM0001.dcm:stream",
        b"study/" + b"a" * 300 + b".dcm",
        b"study/" + b"a/" * 600 + b"x.dcm",
    ],
)
def test_unsafe_entry_name_is_rejected(tmp_path: Path, name: bytes) -> None:
    path = tmp_path / "upload.zip"
    path.write_bytes(build_zip([RawEntry(b"study/good.dcm"), RawEntry(name, flags=0x800)]))

    error = error_of(path)

    assert error.code == "UNSAFE_ARCHIVE_ENTRY"
    assert error.params["count"] == 1


def test_control_characters_are_escaped_in_messages(tmp_path: Path) -> None:
    path = tmp_path / "upload.zip"
    path.write_bytes(build_zip([RawEntry(b"study/IM\x0001\x1b.dcm")]))

    error = error_of(path)

    assert listed_entries(error) == ["study/IM\\x0001\\x1b.dcm"]
    assert "\x00" not in error.message


def test_symbolic_link_is_rejected(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "upload.zip", {"study/IM0001.dcm": b"data"})
    add_symlink(path, "study/link", "/etc/passwd")

    error = error_of(path)

    assert error.code == "UNSAFE_ARCHIVE_ENTRY"
    assert listed_entries(error) == ["study/link"]


@pytest.mark.parametrize("file_type", [stat.S_IFIFO, stat.S_IFCHR, stat.S_IFBLK, stat.S_IFSOCK])
def test_special_file_is_rejected(tmp_path: Path, file_type: int) -> None:
    path = tmp_path / "upload.zip"
    path.write_bytes(
        build_zip([RawEntry(b"study/device", external_attr=(file_type | 0o644) << 16)])
    )

    assert error_of(path).code == "UNSAFE_ARCHIVE_ENTRY"


def test_directories_and_desktop_metadata_are_skipped(tmp_path: Path) -> None:
    path = write_zip(
        tmp_path / "upload.zip",
        {
            "study/": b"",
            "study/IM0001.dcm": b"image",
            "study/.DS_Store": b"finder",
            "__MACOSX/study/._IM0001.dcm": b"apple double",
            "study/Thumbs.db": b"thumbnails",
        },
    )

    entries = inspect_archive(path, LIMITS)

    assert [entry.name for entry in entries] == ["study/IM0001.dcm"]


def test_gbk_name_without_utf8_flag_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "upload.zip"
    path.write_bytes(build_zip([RawEntry("检查/图像1.dcm".encode("gbk"))]))

    entries = inspect_archive(path, LIMITS)

    assert [entry.name for entry in entries] == ["检查/图像1.dcm"]


# Entry content and sizes.


def test_encrypted_entry_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "upload.zip"
    path.write_bytes(build_zip([RawEntry(b"study/IM0001.dcm", flags=0x1)]))

    error = error_of(path)

    assert error.code == "ARCHIVE_ENTRY_ENCRYPTED"
    assert "password" in error.message


@pytest.mark.parametrize("method", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_bzip2_and_lzma_entries_are_rejected(tmp_path: Path, method: int) -> None:
    path = write_zip(tmp_path / "upload.zip", {"study/IM0001.dcm": b"x" * 1000}, compression=method)

    error = error_of(path)

    assert error.code == "ARCHIVE_ENTRY_UNSUPPORTED_COMPRESSION"
    assert error.params["method"] == method


def test_stored_entry_with_two_sizes_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "upload.zip"
    entry = RawEntry(b"study/IM0001.dcm", method=zipfile.ZIP_STORED, declared_size=10_000)
    path.write_bytes(build_zip([entry]))

    assert error_of(path).code == "ARCHIVE_ENTRY_CORRUPT"


def test_high_compression_ratio_entry_is_rejected(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "upload.zip", {"bomb.dcm": bytes(4 * 1024 * 1024)})

    error = error_of(path)

    assert error.code == "ARCHIVE_RATIO_TOO_HIGH"
    assert error.params["size_bytes"] == 4 * 1024 * 1024
    assert error.params["max_ratio"] == LIMITS.max_ratio


def test_small_blank_slice_passes_ratio_check(tmp_path: Path) -> None:
    # A blank 512 x 512 16-bit slice deflates about 1000:1 but is far too small to be a bomb.
    path = write_zip(tmp_path / "upload.zip", {"blank.dcm": bytes(512 * 512 * 2)})

    assert len(inspect_archive(path, LIMITS)) == 1


def test_archive_ratio_counts_all_entries(tmp_path: Path) -> None:
    files = {f"blank{number}.dcm": bytes(900 * 1024) for number in range(8)}
    path = write_zip(tmp_path / "upload.zip", files)

    error = error_of(path)

    assert error.code == "ARCHIVE_RATIO_TOO_HIGH"
    assert error.params["size_bytes"] == 8 * 900 * 1024


def test_declared_total_over_limit_is_rejected(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "upload.zip", {"a.dcm": b"a" * 600, "b.dcm": b"b" * 600})

    error = error_of(path, IntakeLimits(max_uncompressed_bytes=1000))

    assert error.code == "ARCHIVE_TOO_LARGE"
    assert error.params["limit_bytes"] == 1000


def test_zip64_terabyte_entry_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "upload.zip"
    path.write_bytes(build_zip([RawEntry(b"study/IM0001.dcm", zip64_size=2**40)]))

    assert error_of(path).code == "ARCHIVE_TOO_LARGE"


# Archive structure.


def test_too_many_entries_are_rejected(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "upload.zip", {f"IM{number}.dcm": b"x" for number in range(5)})

    error = error_of(path, IntakeLimits(max_entries=3))

    assert error.code == "ARCHIVE_TOO_MANY_ENTRIES"
    assert error.params["limit"] == 3


def test_entry_count_ignores_end_record(tmp_path: Path) -> None:
    entries = [RawEntry(f"IM{number}.dcm".encode()) for number in range(5)]
    path = tmp_path / "upload.zip"
    path.write_bytes(build_zip(entries, declared_count=1))

    assert error_of(path, IntakeLimits(max_entries=3)).code == "ARCHIVE_TOO_MANY_ENTRIES"


def test_overlapping_entries_are_rejected(tmp_path: Path) -> None:
    # The "overlapping files" bomb: many directory records share one compressed block.
    entries = [RawEntry(b"kernel.dcm")] + [
        RawEntry(f"copy{number}.dcm".encode(), header_offset=0) for number in range(3)
    ]
    path = tmp_path / "upload.zip"
    path.write_bytes(build_zip(entries))

    assert error_of(path).code == "ARCHIVE_UNREADABLE"


def test_data_before_archive_is_rejected(tmp_path: Path) -> None:
    # Offsets counted from the start of the file, as in self-extracting programs.
    path = tmp_path / "upload.zip"
    path.write_bytes(build_zip([RawEntry(b"IM0001.dcm")], prefix=b"MZ" + bytes(100)))

    assert error_of(path).code == "ARCHIVE_UNREADABLE"


def test_archive_appended_to_other_data_is_rejected(tmp_path: Path) -> None:
    # Offsets counted from the start of the archive, as when a zip is appended to another file.
    archive = write_zip(tmp_path / "inner.zip", {"IM0001.dcm": b"image"}).read_bytes()
    path = tmp_path / "upload.zip"
    path.write_bytes(b"\x89PNG" + bytes(100) + archive)

    assert error_of(path).code == "ARCHIVE_UNREADABLE"


@pytest.mark.parametrize("kept_fraction", [0.3, 0.6, 0.95])
def test_truncated_archive_is_unreadable(tmp_path: Path, kept_fraction: float) -> None:
    data = write_zip(
        tmp_path / "whole.zip", {"a.dcm": b"a" * 5000, "b.dcm": b"b" * 5000}
    ).read_bytes()
    path = tmp_path / "upload.zip"
    path.write_bytes(data[: int(len(data) * kept_fraction)])

    assert error_of(path).code == "ARCHIVE_UNREADABLE"


def test_more_than_fifty_problems_are_counted(tmp_path: Path) -> None:
    path = tmp_path / "upload.zip"
    path.write_bytes(build_zip([RawEntry(f"../x{number}".encode()) for number in range(60)]))

    error = error_of(path)

    assert len(error.params["problems"]) == 50
    assert error.params["problem_count"] == 60
    assert error.params["count"] == 60


# Extraction.


def test_extraction_writes_generated_names(cases_dir: Path, tmp_path: Path) -> None:
    dest = tmp_path / "extracted"

    extracted = extract_archive(cases_dir / "C23/upload_clean_control.zip", dest, LIMITS)

    assert [item.entry.name for item in extracted] == ["study/IM0001.dcm", "study/IM0002.dcm"]
    assert [item.path.name for item in extracted] == ["entry-000000.dcm", "entry-000001.dcm"]
    assert all(item.path.parent == dest for item in extracted)
    assert all_files(tmp_path) == [item.path for item in extracted]
    with zipfile.ZipFile(cases_dir / "C23/upload_clean_control.zip") as archive:
        assert extracted[1].path.read_bytes() == archive.read("study/IM0002.dcm")


def test_entry_inflating_past_declared_size_is_stopped(tmp_path: Path) -> None:
    # The directory declares 100 bytes; the deflate stream contains 1 MiB.
    path = tmp_path / "upload.zip"
    entry = RawEntry(b"study/IM0001.dcm", payload=bytes(range(256)) * 4096, declared_size=100)
    path.write_bytes(build_zip([entry]))
    dest = tmp_path / "extracted"

    with pytest.raises(ActionableError) as caught:
        extract_archive(path, dest, LIMITS)

    assert caught.value.code in ("ARCHIVE_ENTRY_CORRUPT", "ARCHIVE_ENTRY_SIZE_MISMATCH")
    assert all_files(dest) == []


def test_stream_longer_than_declared_size_is_rejected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # zipfile itself stops at the declared size; this checks the extractor's own count.
    path = write_zip(tmp_path / "upload.zip", {"study/IM0001.dcm": b"x" * 100})
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda self, info: io.BytesIO(b"x" * 5000))

    with pytest.raises(ActionableError) as caught:
        extract_archive(path, tmp_path / "extracted", LIMITS)

    assert caught.value.code == "ARCHIVE_ENTRY_SIZE_MISMATCH"
    assert caught.value.params["declared_bytes"] == 100


def test_failed_extraction_removes_earlier_files(tmp_path: Path) -> None:
    files = {"a.dcm": random.Random(1).randbytes(500), "b.dcm": random.Random(2).randbytes(500)}
    data = bytearray(write_zip(tmp_path / "good.zip", files).read_bytes())
    # Flip a byte inside the second entry's data (after its 30-byte header and 5-byte name), so
    # its checksum fails after the first entry was written.
    second = data.index(b"PK\x03\x04", 10)
    data[second + 30 + 5 + 100] ^= 0xFF
    path = tmp_path / "upload.zip"
    path.write_bytes(bytes(data))
    dest = tmp_path / "extracted"

    with pytest.raises(ActionableError) as caught:
        extract_archive(path, dest, LIMITS)

    assert caught.value.code == "ARCHIVE_ENTRY_CORRUPT"
    assert caught.value.params["entry"] == "b.dcm"
    assert all_files(dest) == []


def test_extraction_never_replaces_existing_file(cases_dir: Path, tmp_path: Path) -> None:
    dest = tmp_path / "extracted"
    dest.mkdir()
    existing = dest / "entry-000000.dcm"
    existing.write_bytes(b"imported earlier")

    with pytest.raises(FileExistsError):
        extract_archive(cases_dir / "C23/upload_clean_control.zip", dest, LIMITS)

    assert existing.read_bytes() == b"imported earlier"


def test_budget_is_shared_between_archives(tmp_path: Path) -> None:
    first = write_zip(tmp_path / "first.zip", {"a.dcm": b"a" * 700})
    second = write_zip(tmp_path / "second.zip", {"b.dcm": b"b" * 700})
    budget = ByteBudget(1000)

    extract_archive(first, tmp_path / "one", LIMITS, budget=budget)
    with pytest.raises(ActionableError) as caught:
        extract_archive(second, tmp_path / "two", LIMITS, budget=budget)

    assert caught.value.code == "ARCHIVE_TOO_LARGE"
    assert all_files(tmp_path / "two") == []
