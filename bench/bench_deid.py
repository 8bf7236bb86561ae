"""Benchmark: de-identification throughput against gdcmanon, and what gdcmanon leaves behind.

Run from the repository root:  .venv/bin/python bench/bench_deid.py [--shared PATH] [--repeat N]

1. Gunzips the Philips 3D T1 series (170 files) into a temporary folder.
2. Times our de-identification with 1 and 2 processes and `gdcmanon -e -c cert.pem --continue -r`
   (basic profile, self-signed certificate made with openssl) on the same files, taking the
   best of N runs of each, and prints files/s and the ratios.
3. Runs both on the C19 case and prints the forbidden strings each one's output still holds.
"""

import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from annotation_platform.imaging.deid import DeidContext, DeidJob, deidentify_files  # noqa: E402

SERIES = "data/dicom/philips/ingenia_elition_sag3d_t1_mprage_series1301/dicom_classic"
CONTEXT = DeidContext(
    uid_secret=b"benchmark-secret-0123456789", patient_pseudonym="BENCH0001", date_shift_days=-123
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=_default_shared())
    parser.add_argument("--repeat", type=int, default=5, help="runs per tool; the best counts")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        sources = _gunzip_series(args.shared / SERIES, work / "in")
        certificate = _make_certificate(work)
        _compare_throughput(sources, work, certificate, args.repeat)
        _compare_leaks(args.shared / "cases" / "C19", work, certificate)


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


def _make_certificate(work: Path) -> Path:
    certificate = work / "cert.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=bench",
            "-keyout",
            str(work / "key.pem"),
            "-out",
            str(certificate),
        ],
        check=True,
        capture_output=True,
    )
    return certificate


def _best_seconds(run: Callable[[], None], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def _ours(sources: list[Path], output: Path, workers: int) -> None:
    output.mkdir(exist_ok=True)
    jobs = [DeidJob(source, output / source.name, CONTEXT) for source in sources]
    outcomes = deidentify_files(jobs, workers=workers)
    failed = [o for o in outcomes if o.error]
    if failed:
        raise SystemExit(f"{len(failed)} files failed: {failed[0].error}")


def _gdcmanon(source: Path, output: Path, certificate: Path) -> None:
    shutil.rmtree(output, ignore_errors=True)
    subprocess.run(
        [
            "gdcmanon",
            "-e",
            "-c",
            str(certificate),
            "--continue",
            "-r",
            "-i",
            str(source),
            "-o",
            str(output),
        ],
        check=True,
        capture_output=True,
    )


def _compare_throughput(sources: list[Path], work: Path, certificate: Path, repeat: int) -> None:
    count = len(sources)
    size_mb = sum(p.stat().st_size for p in sources) / 1e6
    print(f"input: {count} files, {size_mb:.1f} MB, {os.cpu_count()} CPUs, best of {repeat}")
    timings = {
        "ours, 1 process": _best_seconds(lambda: _ours(sources, work / "o1", 1), repeat),
        "ours, 2 processes": _best_seconds(lambda: _ours(sources, work / "o2", 2), repeat),
        "gdcmanon": _best_seconds(lambda: _gdcmanon(work / "in", work / "g", certificate), repeat),
    }
    for name, seconds in timings.items():
        print(f"{name:18s} {seconds:6.3f} s  {count / seconds:7.1f} files/s")
    for name in ("ours, 1 process", "ours, 2 processes"):
        ratio = timings["gdcmanon"] / timings[name]
        print(f"throughput ratio {name} / gdcmanon: {ratio:.2f} (target >= 0.80)")


def _compare_leaks(case: Path, work: Path, certificate: Path) -> None:
    forbidden = json.loads((case / "expected.json").read_text())["expected"][
        "forbidden_strings_anywhere_after_upload"
    ]
    sources = sorted((case / "dicom").glob("*.dcm"))
    _ours(sources, work / "c19_ours", 1)
    _gdcmanon(case / "dicom", work / "c19_gdcm", certificate)
    for name, folder in (("ours", work / "c19_ours"), ("gdcmanon", work / "c19_gdcm")):
        content = b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())
        leaked = [s for s in forbidden if s.lower().encode() in content.lower()]
        print(f"C19 strings left by {name}: {len(leaked)} of {len(forbidden)} {leaked}")


if __name__ == "__main__":
    main()
