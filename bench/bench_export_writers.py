"""Benchmark: mask export writers and import readers on one BraTS-size case (240x240x155).

Run from the repository root:  .venv/bin/python bench/bench_export_writers.py [--shared PATH]
[--repeat N]

1. Imports the isen-20 algorithm mask of TCGA-FG-6692 (BraTS 2017-2021 labels) onto the grid
   of BraTS-GLI-00001-000 as the protocol bitmask.
2. Times our NIfTI label-map writer (`encode_nifti` plus the file write) against nibabel's own
   `nib.save(img, "x.nii.gz")` of the same Fortran-ordered array and of a C-ordered copy, best
   and median of N runs each.
3. Times the four region files, the .seg.nrrd, the DICOM SEG (uncompressed and JPEG 2000) on a
   synthetic 155-slice series, and each reader.
4. Prints each figure, the file sizes, and the ratio of our NIfTI writer to nibabel's.
"""

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import nibabel as nib
import numpy as np
from pydicom.uid import JPEG2000Lossless

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY))

from annotation_platform.exchange.conventions import (  # noqa: E402
    BRATS_2017_2021,
    BRATS_2023,
    bitmask_to_label_map,
)
from annotation_platform.exchange.dicom_seg import encode_dicom_seg, read_dicom_seg  # noqa: E402
from annotation_platform.exchange.geometry import Grid  # noqa: E402
from annotation_platform.exchange.layouts import write_region_niftis  # noqa: E402
from annotation_platform.exchange.nifti import encode_nifti, read_nifti_labels  # noqa: E402
from annotation_platform.exchange.seg_nrrd import encode_seg_nrrd, read_seg_nrrd  # noqa: E402
from annotation_platform.exchange.targets import FolderTarget  # noqa: E402
from tests.exchange.builders import synthetic_series  # noqa: E402

IMAGE = "data/brats-like/BraTS-GLI-00001-000/BraTS-GLI-00001-000-t1c.nii.gz"
MASK = "data/brats-like/TCGA-FG-6692/OtherEXampleFromTCIA_brainles/segmentation/isen-20.nii.gz"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=_default_shared())
    parser.add_argument("--repeat", type=int, default=15, help="runs per step")
    args = parser.parse_args()
    grid = Grid.of_file(args.shared / IMAGE)
    bitmask = read_nifti_labels(args.shared / MASK, grid, convention=BRATS_2017_2021).bitmask
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        _compare_nifti(bitmask, grid, work, args.repeat)
        _time_formats(bitmask, grid, work, max(3, args.repeat // 3))


def _default_shared() -> Path:
    return Path(os.environ.get("SHARED_DIR", REPOSITORY.parent / "shared"))


def _time(step: Callable[[], object], repeat: int) -> tuple[float, float]:
    durations = []
    for _ in range(repeat):
        start = time.perf_counter()
        step()
        durations.append(time.perf_counter() - start)
    return min(durations), statistics.median(durations)


def _line(name: str, timing: tuple[float, float], size: int | None = None) -> None:
    best, median = timing
    extra = f"  {size / 1024:8.1f} KiB" if size is not None else ""
    print(f"{name:<44} best {best * 1000:8.1f} ms  median {median * 1000:8.1f} ms{extra}")


def _compare_nifti(bitmask: np.ndarray, grid: Grid, work: Path, repeat: int) -> None:
    labels = bitmask_to_label_map(bitmask, BRATS_2023)[0]
    ours_path, fortran_path, c_path = work / "ours.nii.gz", work / "f.nii.gz", work / "c.nii.gz"
    c_ordered = np.ascontiguousarray(labels)

    ours = _time(lambda: ours_path.write_bytes(encode_nifti(labels, grid)), repeat)
    fortran = _time(lambda: nib.save(nib.Nifti1Image(labels, grid.affine), fortran_path), repeat)
    c_order = _time(lambda: nib.save(nib.Nifti1Image(c_ordered, grid.affine), c_path), repeat)

    print(f"NIfTI label map, {labels.shape}, uint8, {repeat} runs")
    _line("encode_nifti + write (gzip level 1)", ours, ours_path.stat().st_size)
    _line("nib.save, Fortran-ordered array", fortran, fortran_path.stat().st_size)
    _line("nib.save, C-ordered array", c_order, c_path.stat().st_size)
    print(f"ratio ours / nib.save (Fortran), best:   {ours[0] / fortran[0]:.2f}")
    print(f"ratio ours / nib.save (Fortran), median: {ours[1] / fortran[1]:.2f}")
    print(f"ratio ours / nib.save (C-ordered), best: {ours[0] / c_order[0]:.2f}")


def _time_formats(bitmask: np.ndarray, grid: Grid, work: Path, repeat: int) -> None:
    print(f"\nOther writers and readers, {repeat} runs")
    regions = _time(
        lambda: write_region_niftis(FolderTarget(work / "regions"), bitmask, grid, patient_id="B1"),
        repeat,
    )
    _line("write_region_niftis (4 files)", regions)

    nrrd_path = work / "mask.seg.nrrd"
    nrrd = _time(lambda: nrrd_path.write_bytes(encode_seg_nrrd(bitmask, grid)), repeat)
    _line("encode_seg_nrrd + write", nrrd, nrrd_path.stat().st_size)
    _line("read_seg_nrrd", _time(lambda: read_seg_nrrd(nrrd_path, grid), repeat))

    series = synthetic_series(grid)
    seg_path, j2k_path = work / "seg.dcm", work / "seg_j2k.dcm"
    plain = _time(lambda: seg_path.write_bytes(encode_dicom_seg(bitmask, grid, series)[0]), repeat)
    _line("encode_dicom_seg, uncompressed", plain, seg_path.stat().st_size)
    print(
        f"{'  the same, deflated in a zip (level 1)':<44} {_zipped_size(seg_path) / 1024:.1f} KiB"
    )
    j2k = _time(
        lambda: j2k_path.write_bytes(
            encode_dicom_seg(bitmask, grid, series, transfer_syntax_uid=JPEG2000Lossless)[0]
        ),
        repeat,
    )
    _line("encode_dicom_seg, JPEG 2000 lossless", j2k, j2k_path.stat().st_size)
    _line("read_dicom_seg, uncompressed", _time(lambda: read_dicom_seg(seg_path, grid), repeat))
    nifti_path = work / "ours.nii.gz"
    _line(
        "read_nifti_labels",
        _time(lambda: read_nifti_labels(nifti_path, grid, convention=BRATS_2023), repeat),
    )


def _zipped_size(path: Path) -> int:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.write(path, path.name)
    return len(buffer.getvalue())


if __name__ == "__main__":
    main()
