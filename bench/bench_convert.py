"""Benchmark: converting the Philips 3D T1 series, split by stage, against dcm2niix alone.

Run from the repository root:  .venv/bin/python bench/bench_convert.py [--shared PATH] [--repeat N]

1. Gunzips the Philips 3D T1 MPRAGE series (170 files, 256x256x170) into a temporary folder.
2. Times, best of N runs each: reading the headers, grouping plus geometry checks, the whole
   `convert_series` call, and the bare `dcm2niix -z n` command on the same folder.
3. Prints each figure and the ratio of `convert_series` to bare dcm2niix.
"""

import argparse
import gzip
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from annotation_platform.imaging.convert import convert_series  # noqa: E402
from annotation_platform.imaging.dcm2niix_runner import find_dcm2niix  # noqa: E402
from annotation_platform.imaging.dicom_headers import read_headers  # noqa: E402
from annotation_platform.imaging.dicom_series import group_series  # noqa: E402
from annotation_platform.imaging.series_geometry import check_geometry  # noqa: E402

SERIES = "data/dicom/philips/ingenia_elition_sag3d_t1_mprage_series1301/dicom_classic"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=_default_shared())
    parser.add_argument("--repeat", type=int, default=5, help="runs per step; the best counts")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        sources = _gunzip_series(args.shared / SERIES, work / "in")
        _report(sources, work, args.repeat)


def _default_shared() -> Path:
    return Path(os.environ.get("SHARED_DIR", Path(__file__).resolve().parents[2] / "shared"))


def _gunzip_series(folder: Path, target: Path) -> list[Path]:
    target.mkdir()
    sources = []
    for packed in sorted(folder.glob("*.dcm.gz")):
        path = target / packed.name.removesuffix(".gz")
        path.write_bytes(gzip.decompress(packed.read_bytes()))
        sources.append(path)
    return sources


def _report(sources: list[Path], work: Path, repeat: int) -> None:
    headers = read_headers(sources)
    (group,) = group_series(headers)
    dcm2niix = find_dcm2niix()
    bare_out = work / "bare"
    bare_out.mkdir()
    bare_command = [str(dcm2niix), "-z", "n", "-b", "y", "-f", "bare", "-o", str(bare_out)]

    timings = {
        "read_headers": _best(repeat, lambda: read_headers(sources)),
        "group_series + check_geometry": _best(
            repeat, lambda: check_geometry(group_series(headers)[0])
        ),
        "convert_series (all steps)": _best(repeat, lambda: convert_series(group, work / "out")),
        "dcm2niix -z n alone": _best(
            repeat,
            lambda: subprocess.run(
                [*bare_command, "-w", "1", str(sources[0].parent)], check=True, capture_output=True
            ),
        ),
    }
    print(f"Philips 3D T1, {len(sources)} files, best of {repeat} runs")
    for name, seconds in timings.items():
        print(f"  {name:32s} {seconds:7.3f} s")
    ratio = timings["convert_series (all steps)"] / timings["dcm2niix -z n alone"]
    print(f"  convert_series / dcm2niix alone: {ratio:.2f}x")


def _best(repeat: int, step: Callable[[], object]) -> float:
    durations = []
    for _ in range(repeat):
        started = time.perf_counter()
        step()
        durations.append(time.perf_counter() - started)
    return min(durations)


if __name__ == "__main__":
    main()
