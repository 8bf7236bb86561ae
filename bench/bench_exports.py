"""Benchmark: exporting a project of approved cases in each format.

Run from the repository root:  .venv/bin/python bench/bench_exports.py [--cases 50]

Builds a project of N approved cases from the demo data (the four BraTS-GLI-00001-000 volumes and
the TCGA-FG-6692 fusion mask, which lies on the same 240x240x155 grid), then for 10, 25 and N
cases and each format (NIfTI per region, BraTS, nnU-Net) runs the export job in this process and
prints the time per case and the peak of Python-tracked memory (tracemalloc, numpy arrays
included). In the same run it writes the same NIfTI mask files with nibabel alone (nib.save of
each region, uint8) and prints the ratio. Targets: memory flat as the number of cases grows;
NIfTI export within 1.3x of nibabel alone. DICOM SEG needs DICOM source series, which the NIfTI
demo cases lack; tests/exports covers it.
"""

import argparse
import hashlib
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import nibabel as nib
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import platform  # noqa: E402

CASE_FOLDER = "data/brats-like/BraTS-GLI-00001-000"
MASK = "data/brats-like/TCGA-FG-6692/OtherEXampleFromTCIA_brainles/fusion/simple.nii.gz"
SEQUENCES = {"t1n": "T1", "t1c": "T1c", "t2w": "T2", "t2f": "FLAIR"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=50)
    args = parser.parse_args()
    with platform(workers=0) as env:
        cases = _build_cases(env, args.cases)
        counts = sorted({min(10, args.cases), min(25, args.cases), args.cases})
        print(f"{args.cases} approved cases on a 240x240x155 grid")
        for export_format in ("nifti", "brats", "nnunet"):
            for count in counts:
                seconds, peak = _export(env, export_format, cases[:count])
                per_case_ms = 1000 * seconds / count
                print(
                    f"  {export_format:6s} {count:3d} cases: {per_case_ms:7.1f} ms per case, "
                    f"peak memory {peak / 1e6:7.1f} MB"
                )
        _compare_nibabel(env, cases)


def _build_cases(env, count: int) -> list:
    from annotation_platform.annotations.services import case_ensure_for_study, mask_version_save
    from annotation_platform.core.storage import object_storage, put_bytes
    from annotation_platform.imaging.volumes import grid_of
    from annotation_platform.review.models import ReviewDecision
    from annotation_platform.studies.models import Patient, Series, Study

    folder = env.shared_dir / CASE_FOLDER
    keys, grid = {}, None
    for suffix, sequence in SEQUENCES.items():
        path = next(folder.glob(f"*-{suffix}.nii.gz"))
        data = path.read_bytes()
        keys[sequence] = f"volumes/{hashlib.sha256(data).hexdigest()}.nii.gz"
        put_bytes(object_storage(), keys[sequence], data)
        grid = grid or grid_of(path)
    labels = np.asanyarray(nib.load(str(env.shared_dir / MASK)).dataobj).astype(np.uint8)
    bitmask = np.zeros(labels.shape, np.uint8)
    bitmask[labels == 1] = 3
    bitmask[labels == 2] = 1
    bitmask[labels == 4] = 7
    raw = np.asfortranarray(bitmask).tobytes(order="F")
    cases = []
    for number in range(1, count + 1):
        label = f"BEN{number:04d}"
        patient = Patient.objects.create(project=env.project, pseudonym=label, source_hash=label)
        study = Study.objects.create(
            project=env.project,
            patient=patient,
            study_uid=f"2.25.{number}99",
            status="ready",
            grid=grid,
        )
        for sequence, key in keys.items():
            series = Series.objects.create(
                study=study,
                series_uid=f"2.25.{number}{len(sequence)}{sequence.__hash__() % 997}",
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
            if sequence == "T1c":
                study.reference_series = series
        study.save()
        case = case_ensure_for_study(study)
        case.assignee = env.user
        case.save()
        version = mask_version_save(
            case=case,
            user=env.user,
            payload=raw,
            encoding="identity",
            kind="full",
            checksum="",
            base_version_id=None,
            overrides=[],
        )
        ReviewDecision.objects.create(
            case=case, version=version, reviewer=env.user, decision="approved"
        )
        case.state, case.approved_version = "approved", version
        case.save()
        cases.append(case)
    return cases


def _export(env, export_format: str, cases: list) -> tuple[float, int]:
    import zipfile

    from annotation_platform.exchange.targets import ZipTarget
    from annotation_platform.exports.cases import case_bundle  # noqa: F401 - imported before timing
    from annotation_platform.exports.writing import write_export

    with tempfile.TemporaryDirectory() as folder:
        tracemalloc.start()
        started = time.perf_counter()
        with zipfile.ZipFile(Path(folder) / "export.zip", "w", allowZip64=True) as archive:
            write_export(
                target=ZipTarget(archive),
                cases=cases,
                skipped=[],
                export_format=export_format,
                convention_key="brats-2023",
                header={"project": env.project.name},
                progress=lambda fraction, stage: None,
            )
        seconds = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return seconds, peak


def _compare_nibabel(env, cases: list) -> None:
    """The mask files of the NIfTI export, written with nibabel alone, against our export."""
    from annotation_platform.annotations.services import mask_read_volume
    from annotation_platform.exchange.targets import FolderTarget
    from annotation_platform.exports.writing import write_export

    reference = nib.load(str(next((env.shared_dir / CASE_FOLDER).glob("*-t1c.nii.gz"))))
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        for case in cases:
            volume = mask_read_volume(case.approved_version)
            for key, bit in (("WT", 1), ("TC", 2), ("ET", 4)):
                image = nib.Nifti1Image(((volume & bit) != 0).astype(np.uint8), reference.affine)
                nib.save(image, Path(folder) / f"{case.label}_{key}.nii.gz")
            net = (((volume & 2) != 0) & ((volume & 4) == 0)).astype(np.uint8)
            nib.save(
                nib.Nifti1Image(net, reference.affine), Path(folder) / f"{case.label}_NET.nii.gz"
            )
            labels = np.zeros(volume.shape, np.uint8)
            labels[(volume & 1) != 0] = 2
            labels[(volume & 2) != 0] = 1
            labels[(volume & 4) != 0] = 3
            nib.save(
                nib.Nifti1Image(labels, reference.affine), Path(folder) / f"{case.label}_seg.nii.gz"
            )
        nibabel_seconds = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as folder:

        class MasksOnly(FolderTarget):
            def write_file(self, name: str, source: Path) -> None:  # images: not in the comparison
                return None

        started = time.perf_counter()
        write_export(
            target=MasksOnly(Path(folder)),
            cases=cases,
            skipped=[],
            export_format="nifti",
            convention_key="brats-2023",
            header={"project": env.project.name},
            progress=lambda fraction, stage: None,
        )
        ours = time.perf_counter() - started
    print(
        f"NIfTI mask files of {len(cases)} cases: ours {ours:.2f} s, "
        f"nibabel alone {nibabel_seconds:.2f} s, ratio {ours / nibabel_seconds:.2f}"
        " (target <= 1.30)"
    )


if __name__ == "__main__":
    main()
