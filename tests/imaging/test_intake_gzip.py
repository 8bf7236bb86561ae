"""gunzip_bounded: .gz files inflate only within the declared size, the ratio and the budget."""

import gzip
import random
import struct
from pathlib import Path

import pytest

from annotation_platform.errors import ActionableError
from annotation_platform.imaging.intake import ByteBudget, IntakeLimits, gunzip_bounded

LIMITS = IntakeLimits()
MIB = 1024 * 1024


def write_gz(path: Path, payload: bytes, *, declared_size: int | None = None) -> Path:
    """Write `payload` gzip-compressed; `declared_size` overwrites the ISIZE trailer field."""
    data = bytearray(gzip.compress(payload, mtime=0))
    if declared_size is not None:
        data[-4:] = struct.pack("<I", declared_size)
    path.write_bytes(bytes(data))
    return path


def error_of(src: Path, dest: Path, limits: IntakeLimits = LIMITS) -> ActionableError:
    with pytest.raises(ActionableError) as caught:
        gunzip_bounded(src, dest, limits, name="IM0001.dcm.gz")
    return caught.value


def test_real_compressed_dicom_inflates(data_dir: Path, tmp_path: Path) -> None:
    src = (
        data_dir / "dicom/philips/ingenia_elition_3dpcasl_series1901/dicom_classic/1901_0001.dcm.gz"
    )
    dest = tmp_path / "IM0001.dcm"

    written = gunzip_bounded(src, dest, LIMITS)

    assert dest.read_bytes() == gzip.decompress(src.read_bytes())
    assert written == dest.stat().st_size
    assert dest.read_bytes()[128:132] == b"DICM"


def test_declared_size_over_budget_is_rejected_before_inflating(tmp_path: Path) -> None:
    src = write_gz(tmp_path / "IM0001.dcm.gz", b"x" * 100, declared_size=50 * MIB)
    dest = tmp_path / "IM0001.dcm"

    error = error_of(src, dest, IntakeLimits(max_uncompressed_bytes=10 * MIB))

    assert error.code == "GZIP_TOO_LARGE"
    assert error.params["limit_bytes"] == 10 * MIB
    assert not dest.exists()


def test_inflated_bytes_past_budget_are_stopped(tmp_path: Path) -> None:
    # Incompressible data, so the ratio stays low; the trailer lies that it is 10 bytes.
    payload = random.Random(3).randbytes(3 * MIB)
    src = write_gz(tmp_path / "IM0001.dcm.gz", payload, declared_size=10)
    dest = tmp_path / "IM0001.dcm"

    error = error_of(src, dest, IntakeLimits(max_uncompressed_bytes=1 * MIB))

    assert error.code == "GZIP_TOO_LARGE"
    assert not dest.exists()


def test_high_ratio_is_stopped_while_inflating(tmp_path: Path) -> None:
    src = write_gz(tmp_path / "bomb.dcm.gz", bytes(8 * MIB))
    dest = tmp_path / "bomb.dcm"

    error = error_of(src, dest)

    assert error.code == "GZIP_RATIO_TOO_HIGH"
    assert error.params["max_ratio"] == LIMITS.max_ratio
    assert error.params["size_bytes"] < 8 * MIB
    assert not dest.exists()


def test_high_ratio_behind_lying_trailer_is_stopped(tmp_path: Path) -> None:
    src = write_gz(tmp_path / "bomb.dcm.gz", bytes(8 * MIB), declared_size=100)
    dest = tmp_path / "bomb.dcm"

    error = error_of(src, dest)

    assert error.code == "GZIP_RATIO_TOO_HIGH"
    assert error.params["size_bytes"] <= 2 * MIB
    assert not dest.exists()


def test_small_compressible_file_is_accepted(tmp_path: Path) -> None:
    src = write_gz(tmp_path / "blank.dcm.gz", bytes(512 * 1024))

    assert gunzip_bounded(src, tmp_path / "blank.dcm", LIMITS) == 512 * 1024


@pytest.mark.parametrize("kept_fraction", [0.2, 0.5, 0.99])
def test_truncated_file_is_corrupt(tmp_path: Path, kept_fraction: float) -> None:
    data = gzip.compress(random.Random(4).randbytes(100_000))
    src = tmp_path / "IM0001.dcm.gz"
    src.write_bytes(data[: int(len(data) * kept_fraction)])
    dest = tmp_path / "IM0001.dcm"

    error = error_of(src, dest)

    assert error.code == "GZIP_CORRUPT"
    assert error.params["name"] == "IM0001.dcm.gz"
    assert not dest.exists()


def test_trailing_garbage_is_corrupt(tmp_path: Path) -> None:
    src = tmp_path / "IM0001.dcm.gz"
    src.write_bytes(gzip.compress(b"image") + b"garbage after the gzip member")

    assert error_of(src, tmp_path / "IM0001.dcm").code == "GZIP_CORRUPT"


def test_wrong_checksum_is_corrupt(tmp_path: Path) -> None:
    data = bytearray(gzip.compress(b"image data" * 100))
    data[-8] ^= 0xFF  # the CRC-32 field of the trailer
    src = tmp_path / "IM0001.dcm.gz"
    src.write_bytes(bytes(data))

    assert error_of(src, tmp_path / "IM0001.dcm").code == "GZIP_CORRUPT"


def test_tiny_file_is_corrupt(tmp_path: Path) -> None:
    src = tmp_path / "IM0001.dcm.gz"
    src.write_bytes(b"\x1f\x8b\x08\x00")

    assert error_of(src, tmp_path / "IM0001.dcm").code == "GZIP_CORRUPT"


def test_existing_destination_is_never_replaced(tmp_path: Path) -> None:
    src = write_gz(tmp_path / "IM0001.dcm.gz", b"new")
    dest = tmp_path / "IM0001.dcm"
    dest.write_bytes(b"imported earlier")

    with pytest.raises(FileExistsError):
        gunzip_bounded(src, dest, LIMITS)

    assert dest.read_bytes() == b"imported earlier"


def test_budget_is_shared_between_files(tmp_path: Path) -> None:
    budget = ByteBudget(1000)
    first = write_gz(tmp_path / "a.dcm.gz", b"a" * 600)
    second = write_gz(tmp_path / "b.dcm.gz", b"b" * 600)

    gunzip_bounded(first, tmp_path / "a.dcm", LIMITS, budget=budget)
    with pytest.raises(ActionableError) as caught:
        gunzip_bounded(second, tmp_path / "b.dcm", LIMITS, budget=budget)

    assert caught.value.code == "GZIP_TOO_LARGE"
    assert budget.used == 600
