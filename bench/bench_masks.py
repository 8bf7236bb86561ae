"""Benchmark: saving and loading mask versions on the server, at two grid sizes.

Run from the repository root:  .venv/bin/python bench/bench_masks.py [--repeat 50]

For the 240x240x155 demo grid and a 512x512x200 grid it prints:
- the save payload (gzip of the raw uint8 mask, as the viewer sends it) against the raw size,
  and a compressed XOR delta of one brush stroke against the base version;
- the server-side time of a save (request parsing, decompression, checksum, protocol checks,
  storage, database) and of a load, median and 95th percentile of N each, through Django's
  request handling in this process (no network).
Targets from the annotation requirements: payload <= 2 % of raw; save p95 <= 50 ms at
240x240x155 and <= 150 ms at 512x512x200.
"""

import argparse
import gzip
import hashlib
import statistics
import sys
import time
from pathlib import Path

import nibabel as nib
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import platform  # noqa: E402

GRIDS = [((240, 240, 155), (1.0, 1.0, 1.0)), ((512, 512, 200), (0.45, 0.45, 1.0))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    with platform(workers=0) as env:
        for shape, spacing in GRIDS:
            _bench_grid(env, shape, spacing, args.repeat)


def tumour_mask(shape: tuple[int, int, int], spacing: tuple[float, float, float]) -> np.ndarray:
    """A glioma-like mask in NIfTI order: oedema 30 mm, core 18 mm, enhancing rim of the core."""
    centre = np.array(shape) / 2.0
    grids = np.ogrid[tuple(slice(0, n) for n in shape)]
    distance = np.sqrt(
        sum(((g - c) * s) ** 2 for g, c, s in zip(grids, centre, spacing, strict=True))
    )
    mask = np.zeros(shape, dtype=np.uint8)
    mask[distance < 30] |= 1
    mask[distance < 18] |= 2
    mask[(distance < 18) & (distance > 13)] |= 4
    return np.asfortranarray(mask)


def _study(env, shape, spacing, label):
    from annotation_platform.annotations.services import case_ensure_for_study
    from annotation_platform.core.storage import object_storage, put_bytes
    from annotation_platform.imaging.volumes import grid_of
    from annotation_platform.studies.models import Patient, Series, Study

    folder = env.data_dir / "bench-volumes"
    folder.mkdir(exist_ok=True)
    path = folder / f"{label}.nii.gz"
    affine = np.diag([-spacing[0], -spacing[1], spacing[2], 1.0])
    nib.save(nib.Nifti1Image(np.zeros(shape, dtype=np.int16), affine), path)
    key = f"volumes/{hashlib.sha256(path.read_bytes()).hexdigest()}.nii.gz"
    put_bytes(object_storage(), key, path.read_bytes())
    grid = grid_of(path)
    patient = Patient.objects.create(project=env.project, pseudonym=label, source_hash=label)
    study = Study.objects.create(
        project=env.project,
        patient=patient,
        study_uid=f"2.25.{abs(hash(label))}",
        status=Study.Status.READY,
        grid=grid,
    )
    for number, sequence in enumerate(("FLAIR", "T2", "T1c", "T1"), start=1):
        Series.objects.create(
            study=study,
            series_uid=f"2.25.{number}{abs(hash(label))}",
            source_kind="nifti",
            sequence=sequence,
            sequence_source="filename",
            selected=True,
            status="converted",
            volume_key=key,
            aligned_key=key,
            geometry=grid,
            quality_grade=3,
        )
    case = case_ensure_for_study(study)
    case.assignee = env.user
    case.save()
    return case


def _save(
    env, case, payload: bytes, checksum: str, base, kind="full", crop=""
) -> tuple[float, dict]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {
        "mask": SimpleUploadedFile("mask.gz", payload),
        "encoding": "gzip",
        "kind": kind,
        "checksum": checksum,
        "overrides": "[]",
        "crop": crop,
    }
    if base is not None:
        data["base_version"] = base
    started = time.perf_counter()
    response = env.client.post(f"/api/v1/cases/{case.pk}/masks/", data)
    elapsed = time.perf_counter() - started
    if response.status_code != 201:
        raise SystemExit(f"save failed: {response.content[:300]!r}")
    return elapsed, response.json()


def _bench_grid(env, shape, spacing, repeat: int) -> None:
    label = "BEN" + "x".join(str(n) for n in shape)
    case = _study(env, shape, spacing, label)
    mask = tumour_mask(shape, spacing)
    raw = mask.tobytes(order="F")
    payload = gzip.compress(raw, compresslevel=6)
    stroke = mask.copy()
    z = shape[2] // 2
    stroke[shape[0] // 2 - 40 : shape[0] // 2 - 30, shape[1] // 2 : shape[1] // 2 + 10, z] |= 1
    delta = gzip.compress(np.bitwise_xor(mask, stroke).tobytes(order="F"), compresslevel=6)

    print(
        f"grid {'x'.join(map(str, shape))} ({len(raw) / 1e6:.1f} MB raw mask, "
        f"{int(mask.astype(bool).sum())} tumour voxels), {repeat} saves and loads each"
    )
    print(
        f"  save payload, whole grid (gzip) {len(payload) / 1024:8.1f} KiB = "
        f"{100 * len(payload) / len(raw):.3f} % of raw (target <= 2 %)"
    )
    box = _box(mask)
    crop_payload = gzip.compress(_crop(mask, box), compresslevel=6)
    print(
        f"  save payload, crop box (gzip)   {len(crop_payload) / 1024:8.1f} KiB = "
        f"{100 * len(crop_payload) / len(raw):.3f} % of raw"
    )
    print(
        f"  one-stroke XOR delta (gzip)     {len(delta) / 1024:8.1f} KiB = "
        f"{100 * len(delta) / len(raw):.4f} % of raw"
    )
    for kind in ("full", "crop"):
        saves, checks, loads = _round(env, case, mask, stroke, kind, repeat)
        print(
            _line(f"save ({kind})", saves),
            f"(decode and checks: {statistics.median(checks):.1f} ms)",
        )
        print(_line(f"load ({kind})", loads))
    target = 50 if shape[0] <= 240 else 150
    print(f"  target: save p95 <= {target} ms")


def _box(mask: np.ndarray) -> tuple[int, ...]:
    nonzero = np.argwhere(mask)
    low, high = nonzero.min(axis=0), nonzero.max(axis=0) + 1
    return (*low.tolist(), *high.tolist())


def _crop(mask: np.ndarray, box: tuple[int, ...]) -> bytes:
    inside = mask[box[0] : box[3], box[1] : box[4], box[2] : box[5]]
    return np.asfortranarray(inside).tobytes(order="F")


def _round(env, case, mask, stroke, kind: str, repeat: int):
    base = case.latest_version_id
    saves, checks, loads = [], [], []
    for index in range(repeat):
        current = stroke if index % 2 else mask
        raw_now = current.tobytes(order="F")
        if kind == "crop":
            box = _box(current)
            body = gzip.compress(_crop(current, box), compresslevel=6)
            crop = ",".join(str(n) for n in box)
        else:
            body, crop = gzip.compress(raw_now, compresslevel=6), ""
        elapsed, version = _save(
            env, case, body, hashlib.sha256(raw_now).hexdigest(), base, kind, crop
        )
        saves.append(elapsed)
        checks.append(version["checks_ms"])
        base = version["id"]
        started = time.perf_counter()
        response = env.client.get(
            f"/api/v1/masks/{base}/data/" + ("?encoding=crop" if kind == "crop" else "")
        )
        _ = response.content
        loads.append(time.perf_counter() - started)
    case.refresh_from_db()
    return saves, checks, loads


def _line(label: str, seconds: list[float]) -> str:
    median, p95 = 1000 * statistics.median(seconds), 1000 * _p95(seconds)
    return f"  {label:11s} server side  median {median:6.1f} ms  p95 {p95:6.1f} ms"


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


if __name__ == "__main__":
    main()
