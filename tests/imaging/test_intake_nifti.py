"""check_nifti and sanitize_nifti: header-only checks and removal of free-text fields."""

import gzip
import math
from pathlib import Path
from typing import Any

import nibabel as nib
import numpy as np
import pytest

from annotation_platform.errors import ActionableError
from annotation_platform.imaging.intake import IntakeLimits, check_nifti, sanitize_nifti

LIMITS = IntakeLimits()
HEADER_CLASSES = {1: nib.Nifti1Header, 2: nib.Nifti2Header}
HEADER_BYTES = {1: 348, 2: 540}
IMAGE_CLASSES = {1: nib.Nifti1Image, 2: nib.Nifti2Image}


def write_nifti(
    path: Path,
    shape: tuple[int, ...] = (4, 5, 6),
    *,
    dtype: type = np.int16,
    version: int = 1,
    text: bool = False,
) -> Path:
    """Write a small NIfTI volume (.nii or .nii.gz by suffix) with distinct voxel values."""
    data: np.ndarray = np.arange(math.prod(shape)).reshape(shape).astype(dtype)
    affine = np.array([[-1.5, 0, 0, 30], [0, 1.5, 0, -20], [0, 0, 3.0, -10], [0, 0, 0, 1]])
    image = IMAGE_CLASSES[version](data, affine)
    image.header.set_qform(affine, code=1)
    image.header.set_sform(affine, code=2)
    if text:
        image.header["descrip"] = b"Invented^Patient scanned 2020-01-01"
        image.header["aux_file"] = b"invented_lut.txt"
        image.header["intent_name"] = b"invented"
        if version == 1:
            image.header["db_name"] = b"invented_db"
        image.header.extensions.append(nib.nifti1.Nifti1Extension(6, b"Invented comment"))
    image.to_filename(path)
    return path


def load(path: Path) -> nib.Nifti1Image:
    image = nib.load(path)
    assert isinstance(image, nib.Nifti1Image)  # Nifti2Image is a subclass
    return image


def patch_header(path: Path, version: int = 1, **fields: Any) -> Path:
    """Overwrite header fields of an uncompressed .nii file in place, without nibabel's fixes."""
    raw = bytearray(path.read_bytes())
    size = HEADER_BYTES[version]
    header = HEADER_CLASSES[version](bytes(raw[:size]), check=False)
    for field, value in fields.items():
        header[field] = value
    raw[:size] = header.binaryblock
    path.write_bytes(bytes(raw))
    return path


def compress(path: Path) -> Path:
    target = path.with_name(path.name + ".gz")
    target.write_bytes(gzip.compress(path.read_bytes()))
    return target


def error_of(path: Path, limits: IntakeLimits = LIMITS) -> ActionableError:
    with pytest.raises(ActionableError) as caught:
        check_nifti(path, limits, name="volume.nii")
    return caught.value


@pytest.mark.parametrize(
    "relative_path",
    [
        "brats-like/BraTS-GLI-00001-000/BraTS-GLI-00001-000-t1n.nii.gz",
        "brats-like/BraTS2015_brats_2013_pat0005_1/Flair_subtrMeanDivStd.nii.gz",
        "dicom/ge/nih_discovery_mr750_epi_series4/reference_nifti/DCM2NIIX_regression_test_4.nii",
    ],
)
def test_real_volume_is_accepted(data_dir: Path, relative_path: str) -> None:
    check = check_nifti(data_dir / relative_path, LIMITS)

    assert len(check.shape) in (3, 4)
    assert all(size > 0 for size in check.voxel_size)


def test_real_brats_header_is_described(data_dir: Path) -> None:
    path = data_dir / "brats-like/BraTS-GLI-00001-000/BraTS-GLI-00001-000-t1n.nii.gz"

    check = check_nifti(path, LIMITS)

    assert check.shape == (240, 240, 155)
    assert check.datatype == "int16"
    assert check.compressed
    assert check.has_extensions


@pytest.mark.parametrize("shape", [(4, 5, 6), (4, 5, 6, 3), (4, 5, 6, 1, 1)])
def test_3d_and_4d_volumes_are_accepted(tmp_path: Path, shape: tuple) -> None:
    check = check_nifti(write_nifti(tmp_path / "volume.nii", shape), LIMITS)

    assert check.shape == shape
    assert check.vox_offset >= 352


def test_nifti2_volume_is_accepted(tmp_path: Path) -> None:
    check = check_nifti(write_nifti(tmp_path / "volume.nii.gz", version=2), LIMITS)

    assert check.version == 2
    assert check.compressed


def test_big_endian_volume_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "volume.nii"
    data = np.arange(60, dtype=">i2").reshape(3, 4, 5)
    image = nib.Nifti1Image(data, np.eye(4), header=nib.Nifti1Header(endianness=">"))
    image.to_filename(path)

    check = check_nifti(path, LIMITS)

    assert check.byte_order == ">"
    assert check.shape == (3, 4, 5)


@pytest.mark.parametrize(
    "dim",
    [
        [0, 4, 5, 6, 1, 1, 1, 1],
        [8, 4, 5, 6, 1, 1, 1, 1],
        [3, 4, 0, 6, 1, 1, 1, 1],
        [3, 4, -5, 6, 1, 1, 1, 1],
    ],
)
def test_absurd_dimensions_are_rejected(tmp_path: Path, dim: list[int]) -> None:
    path = patch_header(write_nifti(tmp_path / "volume.nii"), dim=dim)

    error = error_of(path)

    assert error.code == "NIFTI_BAD_DIMENSIONS"
    assert error.params["dim"] == dim


@pytest.mark.parametrize("dim", [[2, 4, 5, 1, 1, 1, 1, 1], [5, 4, 5, 6, 2, 3, 1, 1]])
def test_2d_and_5d_volumes_are_unsupported(tmp_path: Path, dim: list[int]) -> None:
    path = patch_header(write_nifti(tmp_path / "volume.nii", (4, 5, 6, 6)), dim=dim)

    assert error_of(path).code == "NIFTI_UNSUPPORTED_DIMENSIONS"


def test_voxel_count_over_limit_is_rejected(tmp_path: Path) -> None:
    # The header declares 32767**3 int16 voxels (about 70 TB) in a file of a few hundred bytes.
    path = patch_header(
        write_nifti(tmp_path / "volume.nii"), dim=[3, 32767, 32767, 32767, 1, 1, 1, 1]
    )

    error = error_of(path)

    assert error.code == "NIFTI_TOO_LARGE"
    assert error.params["shape"] == "32767 x 32767 x 32767"
    assert error.params["limit"] == LIMITS.max_nifti_voxels
    assert "32767 x 32767 x 32767" in error.message


def test_nifti2_voxel_count_over_limit_is_rejected(tmp_path: Path) -> None:
    path = write_nifti(tmp_path / "volume.nii", version=2)
    patch_header(path, version=2, dim=[3, 2**40, 2**20, 5, 1, 1, 1, 1])

    assert error_of(path).code == "NIFTI_TOO_LARGE"


def test_voxel_limit_comes_from_limits(tmp_path: Path) -> None:
    path = write_nifti(tmp_path / "volume.nii", (4, 5, 6))

    error = error_of(path, IntakeLimits(max_nifti_voxels=100))

    assert error.code == "NIFTI_TOO_LARGE"
    assert error.params["voxels"] == 120


@pytest.mark.parametrize("bad_size", [0.0, -1.0, float("nan"), float("inf")])
def test_invalid_voxel_size_is_rejected(tmp_path: Path, bad_size: float) -> None:
    path = patch_header(
        write_nifti(tmp_path / "volume.nii"), pixdim=[1, 1.5, bad_size, 3, 1, 1, 1, 1]
    )

    assert error_of(path).code == "NIFTI_BAD_VOXEL_SIZE"


def test_zero_time_step_is_accepted(tmp_path: Path) -> None:
    path = patch_header(
        write_nifti(tmp_path / "volume.nii", (4, 5, 6, 2)), pixdim=[1, 1.5, 1.5, 3, 0, 0, 0, 0]
    )

    assert check_nifti(path, LIMITS).shape == (4, 5, 6, 2)


@pytest.mark.parametrize(
    "fields",
    [
        {"srow_x": [np.nan, 0, 0, 0]},
        {"srow_y": [0, np.inf, 0, 0]},
        {"srow_x": [1, 0, 0, 0], "srow_y": [1, 0, 0, 0]},  # two parallel axes: singular
        {"qoffset_x": np.nan},
    ],
)
def test_invalid_affine_is_rejected(tmp_path: Path, fields: dict) -> None:
    path = patch_header(write_nifti(tmp_path / "volume.nii"), **fields)

    assert error_of(path).code == "NIFTI_BAD_AFFINE"


def test_unused_sform_is_not_checked(tmp_path: Path) -> None:
    path = patch_header(
        write_nifti(tmp_path / "volume.nii"), sform_code=0, srow_x=[np.nan, 0, 0, 0]
    )

    assert check_nifti(path, LIMITS).sform_code == 0


@pytest.mark.parametrize(("datatype", "bitpix"), [(32, 64), (128, 24), (1792, 128), (999, 16)])
def test_unsupported_datatype_is_rejected(tmp_path: Path, datatype: int, bitpix: int) -> None:
    path = patch_header(write_nifti(tmp_path / "volume.nii"), datatype=datatype, bitpix=bitpix)

    error = error_of(path)

    assert error.code == "NIFTI_UNSUPPORTED_DATATYPE"
    assert error.params["datatype"] == datatype


@pytest.mark.parametrize("missing_bytes", [1, 100])
def test_truncated_file_is_rejected(tmp_path: Path, missing_bytes: int) -> None:
    path = write_nifti(tmp_path / "volume.nii")
    path.write_bytes(path.read_bytes()[:-missing_bytes])

    error = error_of(path)

    assert error.code == "NIFTI_TRUNCATED"
    assert error.params["required_bytes"] == 352 + 4 * 5 * 6 * 2


def test_truncated_nii_inside_gzip_is_rejected(tmp_path: Path) -> None:
    plain = write_nifti(tmp_path / "volume.nii")
    plain.write_bytes(plain.read_bytes()[:-10])

    assert error_of(compress(plain)).code == "NIFTI_TRUNCATED"


def test_cut_gzip_stream_is_rejected(tmp_path: Path) -> None:
    path = write_nifti(tmp_path / "volume.nii.gz", (40, 40, 40))
    path.write_bytes(path.read_bytes()[:-200])

    assert error_of(path).code == "NIFTI_TRUNCATED"


def test_header_only_file_is_truncated(tmp_path: Path) -> None:
    path = tmp_path / "volume.nii"
    path.write_bytes(write_nifti(tmp_path / "whole.nii").read_bytes()[:200])

    assert error_of(path).code in ("NIFTI_TRUNCATED", "NIFTI_UNREADABLE")


def test_nifti_pair_header_is_rejected(tmp_path: Path) -> None:
    path = patch_header(write_nifti(tmp_path / "volume.nii"), magic=b"ni1")

    assert error_of(path).code == "NIFTI_PAIR_UNSUPPORTED"


@pytest.mark.parametrize("vox_offset", [100.0, 352.5, float("nan")])
def test_invalid_vox_offset_is_rejected(tmp_path: Path, vox_offset: float) -> None:
    path = patch_header(write_nifti(tmp_path / "volume.nii"), vox_offset=vox_offset)

    assert error_of(path).code == "NIFTI_UNREADABLE"


def test_other_file_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "volume.nii"
    path.write_bytes(b"\0" * 1000)

    assert error_of(path).code == "NIFTI_UNREADABLE"


def test_free_text_and_extensions_are_reported(tmp_path: Path) -> None:
    check = check_nifti(write_nifti(tmp_path / "volume.nii", text=True), LIMITS)

    assert check.has_free_text
    assert check.has_extensions


@pytest.mark.parametrize(("version", "suffix"), [(1, ".nii"), (1, ".nii.gz"), (2, ".nii.gz")])
def test_sanitize_clears_free_text(tmp_path: Path, version: int, suffix: str) -> None:
    source = write_nifti(tmp_path / f"source{suffix}", (4, 5, 6, 2), version=version, text=True)
    dest = tmp_path / "clean.nii.gz"

    sanitize_nifti(source, dest)

    header = load(dest).header
    assert header["descrip"].item() == b""
    assert header["aux_file"].item() == b""
    assert header["intent_name"].item() == b""
    assert len(header.extensions) == 0
    assert b"Invented" not in gzip.decompress(dest.read_bytes())
    if version == 1:
        assert header["db_name"].item() == b""


@pytest.mark.parametrize("version", [1, 2])
def test_sanitize_keeps_voxels_and_geometry(tmp_path: Path, version: int) -> None:
    source = write_nifti(
        tmp_path / "source.nii", (4, 5, 6, 2), dtype=np.float32, version=version, text=True
    )
    patch_header(source, version=version, scl_slope=2.0, scl_inter=-1.0)
    dest = tmp_path / "clean.nii.gz"

    sanitize_nifti(source, dest)

    before = load(source)
    after = load(dest)
    before_proxy = before.dataobj
    after_proxy = after.dataobj
    assert isinstance(before_proxy, nib.arrayproxy.ArrayProxy)
    assert isinstance(after_proxy, nib.arrayproxy.ArrayProxy)
    assert np.array_equal(before_proxy.get_unscaled(), after_proxy.get_unscaled())
    assert np.array_equal(before.affine, after.affine)
    assert int(after.header["qform_code"]) == 1
    assert int(after.header["sform_code"]) == 2
    # nibabel moves scl_slope and scl_inter from the loaded header onto the data proxy.
    assert after_proxy.slope == 2.0
    assert after_proxy.inter == -1.0
    assert after.get_data_dtype() == np.float32


def test_sanitize_keeps_big_endian_bytes(tmp_path: Path) -> None:
    source = tmp_path / "source.nii"
    data = np.arange(60, dtype=">i2").reshape(3, 4, 5)
    nib.Nifti1Image(data, np.eye(4), header=nib.Nifti1Header(endianness=">")).to_filename(source)
    dest = tmp_path / "clean.nii.gz"

    sanitize_nifti(source, dest)

    assert check_nifti(dest, LIMITS).byte_order == ">"
    assert np.array_equal(np.asanyarray(load(dest).dataobj), data)


def test_sanitize_writes_fast_nameless_gzip(tmp_path: Path) -> None:
    dest = tmp_path / "clean.nii.gz"

    sanitize_nifti(write_nifti(tmp_path / "Invented_Patient_T1.nii"), dest)

    raw = dest.read_bytes()
    assert raw[8] == 4  # gzip XFL 4: compressed with the fastest algorithm (RFC 1952)
    assert not raw[3] & 0x08  # no FNAME field, so the source name is not stored
    assert b"Invented" not in raw


def test_sanitize_real_brats_volume_drops_extension(data_dir: Path, tmp_path: Path) -> None:
    source = data_dir / "brats-like/BraTS-GLI-00001-000/BraTS-GLI-00001-000-t1n.nii.gz"
    dest = tmp_path / "clean.nii.gz"

    sanitize_nifti(source, dest)

    check = check_nifti(dest, LIMITS)
    assert not check.has_extensions
    assert check.vox_offset == 352
    assert np.array_equal(np.asanyarray(load(source).dataobj), np.asanyarray(load(dest).dataobj))


def test_sanitize_of_truncated_source_writes_nothing(tmp_path: Path) -> None:
    source = write_nifti(tmp_path / "source.nii")
    source.write_bytes(source.read_bytes()[:-20])
    dest = tmp_path / "clean.nii.gz"

    with pytest.raises(ActionableError) as caught:
        sanitize_nifti(source, dest)

    assert caught.value.code == "NIFTI_TRUNCATED"
    assert list(tmp_path.iterdir()) == [source]


def test_sanitize_requires_nii_gz_destination(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"\.nii\.gz"):
        sanitize_nifti(write_nifti(tmp_path / "source.nii"), tmp_path / "clean.nii")
