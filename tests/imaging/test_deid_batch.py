"""De-identifying a list of files, in this process and in a pool of two."""

import gzip
from pathlib import Path

from annotation_platform.imaging.deid import DeidContext, DeidJob, deidentify_files

CONTEXT = DeidContext(b"batch-test-secret-0123456", "GLI0005", 30)
SERIES = "dicom/philips/ingenia_elition_sag3d_t1_mprage_series1301/dicom_classic"


def _jobs(data_dir: Path, tmp_path: Path, folder: str, count: int = 6) -> list[DeidJob]:
    sources = tmp_path / "in"
    sources.mkdir(exist_ok=True)
    targets = tmp_path / folder
    targets.mkdir()
    jobs = []
    for packed in sorted((data_dir / SERIES).glob("*.dcm.gz"))[:count]:
        source = sources / packed.name.removesuffix(".gz")
        source.write_bytes(gzip.decompress(packed.read_bytes()))
        jobs.append(DeidJob(source, targets / source.name, CONTEXT))
    return jobs


def test_pool_output_equals_single_process(data_dir: Path, tmp_path: Path) -> None:
    single = deidentify_files(_jobs(data_dir, tmp_path, "one", count=20), workers=1)
    pooled = deidentify_files(_jobs(data_dir, tmp_path, "two", count=20), workers=2)
    assert [o.error for o in single + pooled] == [None] * (len(single) + len(pooled))
    for a, b in zip(single, pooled, strict=True):
        assert a.target.read_bytes() == b.target.read_bytes()
        assert a.report == b.report


def test_philips_name_leaves_the_files(data_dir: Path, tmp_path: Path) -> None:
    outcomes = deidentify_files(_jobs(data_dir, tmp_path, "out", count=2), workers=1)
    for outcome in outcomes:
        content = outcome.target.read_bytes()
        assert b"d2n_Philips_3T_R571" not in content
        assert b"45053" not in content
        assert outcome.report is not None
        assert outcome.report.private_removed > 250


def test_unreadable_file_gets_error_outcome(tmp_path: Path) -> None:
    source = tmp_path / "broken.dcm"
    source.write_bytes(b"\0" * 128 + b"DICM" + b"\x02\x00\x10\x00UI\x40\x00")
    target = tmp_path / "out.dcm"
    [outcome] = deidentify_files([DeidJob(source, target, CONTEXT)], workers=1)
    assert outcome.report is None
    assert outcome.error is not None
    assert outcome.error["code"] in {"DICOM_TRUNCATED", "DICOM_UNREADABLE"}
    assert not target.exists()
