"""Benchmark: ingest of the Philips 3D T1 series end to end, against the field's C/C++ tools.

Run from the repository root:  .venv/bin/python bench/bench_ingest.py [--repeat N]
(`make bench` runs every benchmark.) Needs PostgreSQL and Redis on 127.0.0.1, like the tests.

1. Gunzips the 170 files of the series once; both pipelines read the same files.
2. Ours: upload through the API -> quarantine -> de-identify -> group -> dcm2niix -> grid and
   thumbnail -> study ready, with two real solo-pool workers. A new project per run, so every
   run de-identifies and converts from scratch. Prints the wall time and each job's share.
3. Reference: `gdcmanon` (basic profile, self-signed certificate) then `dcm2niix -z y -1`.
4. De-identification throughput, ours (1 and 2 processes) against gdcmanon, and what each leaves
   behind on the C19 case (bench_deid.py does those two parts).
"""

import argparse
import gzip
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_deid import _compare_leaks, _compare_throughput, _gdcmanon, _make_certificate  # noqa: E402
from harness import platform, wait_for_jobs  # noqa: E402

SERIES = "data/dicom/philips/ingenia_elition_sag3d_t1_mprage_series1301/dicom_classic"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with platform(workers=2) as env, tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        sources = _gunzip(env.shared_dir / SERIES, work / "in")
        certificate = _make_certificate(work)
        ours = [_ours_once(env, sources, run) for run in range(args.repeat)]
        reference = [_reference_once(work, certificate) for _ in range(args.repeat)]
        _report(ours, reference, len(sources))
        print()
        _compare_throughput(sources, work, certificate, args.repeat)
        _compare_leaks(env.shared_dir / "cases" / "C19", work, certificate)


def _gunzip(folder: Path, target: Path) -> list[Path]:
    target.mkdir()
    paths = []
    for packed in sorted(folder.glob("*.dcm.gz")):
        path = target / packed.name.removesuffix(".gz")
        path.write_bytes(gzip.decompress(packed.read_bytes()))
        paths.append(path)
    return paths


def _ours_once(env, sources: list[Path], run: int) -> dict[str, float]:
    from annotation_platform.core.models import Job
    from annotation_platform.projects.services import project_create
    from annotation_platform.studies.models import Study

    project = project_create(
        name=f"Benchmark run {run}",
        protocol_version=env.project.protocol_version,
        created_by=env.user,
        pseudonym_prefix="RUN",
        irb_number="BENCH-1",
        irb_body="Benchmark",
        irb_valid_until=env.project.irb_valid_until,
    )
    handles = [path.open("rb") for path in sources]
    started = time.perf_counter()
    response = env.client.post(f"/api/v1/projects/{project.pk}/uploads/", {"files": handles})
    uploaded = time.perf_counter()
    for handle in handles:
        handle.close()
    if response.status_code != 201:
        raise SystemExit(f"upload failed: {response.content[:500]!r}")
    wait_for_jobs()
    finished = time.perf_counter()
    study = Study.objects.get(project=project)
    if study.status not in (Study.Status.READY, Study.Status.INCOMPLETE):
        raise SystemExit(f"study ended {study.status}")
    jobs = {job.kind: job for job in Job.objects.filter(group__in=_groups(project))}
    return {
        "total": finished - started,
        "upload": uploaded - started,
        **{kind: (job.finished_at - job.started_at).total_seconds() for kind, job in jobs.items()},
    }


def _groups(project) -> list[str]:
    from annotation_platform.studies.models import Study, Upload

    return [f"upload:{u.pk}" for u in Upload.objects.filter(project=project)] + [
        f"study:{s.pk}" for s in Study.objects.filter(project=project)
    ]


def _reference_once(work: Path, certificate: Path) -> dict[str, float]:
    output = work / "reference-nifti"
    subprocess.run(["rm", "-rf", str(output)], check=True)
    output.mkdir()
    started = time.perf_counter()
    _gdcmanon(work / "in", work / "reference-deid", certificate)
    deidentified = time.perf_counter()
    dcm2niix = Path(sys.executable).with_name("dcm2niix")
    subprocess.run(
        [
            str(dcm2niix),
            "-z",
            "y",
            "-1",
            "-f",
            "volume",
            "-o",
            str(output),
            str(work / "reference-deid"),
        ],
        check=True,
        capture_output=True,
    )
    finished = time.perf_counter()
    return {
        "total": finished - started,
        "gdcmanon": deidentified - started,
        "dcm2niix": finished - deidentified,
    }


def _report(ours: list[dict[str, float]], reference: list[dict[str, float]], count: int) -> None:
    # The best run shows the cost with the least interference from other load on the machine.
    print(f"Philips 3D T1, {count} files, {len(ours)} runs each; seconds, median and best")
    ours_total = statistics.median(run["total"] for run in ours)
    reference_total = statistics.median(run["total"] for run in reference)
    ours_best = min(run["total"] for run in ours)
    reference_best = min(run["total"] for run in reference)
    print(f"ours, end to end (upload -> ready)      {ours_total:7.3f} {ours_best:7.3f}")
    for key in ("upload", "ingest", "convert", "prepare"):
        values = [run[key] for run in ours if key in run]
        if values:
            print(f"  {key:37s} {statistics.median(values):7.3f} {min(values):7.3f}")
    print(f"reference, gdcmanon + dcm2niix         {reference_total:7.3f} {reference_best:7.3f}")
    for key in ("gdcmanon", "dcm2niix"):
        values = [run[key] for run in reference]
        print(f"  {key:37s} {statistics.median(values):7.3f} {min(values):7.3f}")
    print(f"ratio ours / reference, medians: {ours_total / reference_total:.2f} (target <= 1.30)")
    print(f"ratio ours / reference, best runs: {ours_best / reference_best:.2f}")


if __name__ == "__main__":
    main()
