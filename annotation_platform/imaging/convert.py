"""Convert one checked series group to NIfTI with dcm2niix, and clean what dcm2niix writes.

The PyPI build of dcm2niix is required: older distribution builds (Debian 12 ships
v1.0.20220720) crash on or mis-convert several vendor files. The geometry checks run first,
because dcm2niix writes an evenly spaced volume even where it warns that slices are missing.
"""

import json
import logging
import re
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import nibabel as nib
import numpy as np

from annotation_platform.errors import ActionableError, gettext_noop
from annotation_platform.imaging.dcm2niix_runner import (
    ConverterOutput,
    find_dcm2niix,
    run_dcm2niix,
)
from annotation_platform.imaging.dicom_headers import read_headers
from annotation_platform.imaging.dicom_series import SeriesGroup, group_series, slice_normal
from annotation_platform.imaging.nifti_sanitize import filter_sidecar, sanitize_nifti_header
from annotation_platform.imaging.series_geometry import GeometryReport, check_geometry

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[float, str], None]

DEFAULT_STEM = "volume"
# Letters, digits, "_" and "-" only, so the stem contains no dcm2niix placeholder (%n is the
# patient name, %p the protocol) and no path separator.
STEM_PATTERN = re.compile(r"[A-Za-z0-9_-]+")
DEFAULT_TIMEOUT_S = 600
# dcm2niix adds these to the file name of outputs that are not the main image: phase, real
# and imaginary parts, regions of interest, tilt-corrected and equidistant copies.
# The outputs that reach out_dir; dcm2niix's other files are dropped as unchecked.
OUTPUT_SUFFIXES = (".nii", ".json", ".bval", ".bvec")
SECONDARY_SUFFIXES = ("_ph", "_real", "_imaginary", "_ROI", "_Tilt", "_Eq", "_ADC", "_trace")


@dataclass(frozen=True)
class ConversionResult:
    """The NIfTI files written for one series group, with their cleaned metadata.

    shape, spacing_mm and affine describe the primary file; affine maps voxel indices to
    NIfTI RAS+ millimetres (the sform, as nibabel's best affine).
    """

    primary: Path
    # Further NIfTI files from the same input: other echoes, phase, real or imaginary parts.
    others: list[Path]
    # The primary file's allow-listed sidecar; each output also has its own .json on disk.
    sidecar: dict[str, Any]
    warnings: list[dict[str, Any]]
    is_3d: bool
    shape: tuple[int, ...]
    spacing_mm: tuple[float, float, float]
    affine: np.ndarray
    geometry: GeometryReport
    # Diffusion gradient tables (.bval, .bvec) written next to the NIfTI files.
    gradient_files: list[Path]


def convert_series(
    source: SeriesGroup | Path | Sequence[Path],
    out_dir: Path,
    progress: ProgressCallback | None = None,
    *,
    stem: str = DEFAULT_STEM,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    executable: Path | None = None,
) -> ConversionResult:
    """Check a series group's geometry, convert it with dcm2niix and clean the outputs.

    `source` is a group from `group_series`, or files (or a folder) that form exactly one
    group. Writes `<stem>*.nii` with an allow-listed `<stem>*.json` beside each, plus any
    `.bval`/`.bvec`, into `out_dir`, overwriting earlier outputs of the same names. Reports
    progress as `progress(fraction, stage)` with stages checking, converting, cleaning, done.
    Raises ActionableError when the geometry checks or dcm2niix reject the series.
    """
    if not STEM_PATTERN.fullmatch(stem):
        raise ValueError(f"stem must match {STEM_PATTERN.pattern}, not {stem!r}")
    notify = progress or _ignore_progress
    notify(0.0, "checking")
    group = _resolve_group(source)
    geometry = check_geometry(group)
    dcm2niix = find_dcm2niix(executable)
    started = time.monotonic()

    with TemporaryDirectory(prefix="convert-") as work_name:
        work = Path(work_name)
        notify(0.05, "converting")
        output = run_dcm2niix(
            dcm2niix,
            group.files,
            work,
            stem=stem,
            timeout_s=timeout_s,
            on_progress=lambda fraction: notify(round(0.05 + 0.8 * fraction, 3), "converting"),
        )
        warnings = geometry.warnings + output.check(group.series_number)
        notify(0.85, "cleaning")
        result = _collect_outputs(output, out_dir, stem, group, warnings, geometry)

    logger.info(
        "Converted series %s (%d files) to %d NIfTI files in %.2f s",
        group.series_number,
        group.instance_count,
        1 + len(result.others),
        time.monotonic() - started,
    )
    notify(1.0, "done")
    return result


def _ignore_progress(fraction: float, stage: str) -> None:
    return None


def _resolve_group(source: SeriesGroup | Path | Sequence[Path]) -> SeriesGroup:
    if isinstance(source, SeriesGroup):
        return source
    headers = read_headers(source)
    if not headers:
        raise ActionableError(
            "NO_DICOM_IMAGES",
            gettext_noop("None of the files is a DICOM image. Upload the series' DICOM files."),
        )
    groups = group_series(headers)
    if len(groups) != 1:
        raise ActionableError(
            "MULTIPLE_SERIES",
            gettext_noop(
                "The files form %(count)s series or geometry groups, but one conversion takes "
                "one group. Group the files first and convert each group on its own."
            ),
            count=len(groups),
        )
    return groups[0]


def _collect_outputs(
    output: ConverterOutput,
    out_dir: Path,
    stem: str,
    group: SeriesGroup,
    warnings: list[dict[str, Any]],
    geometry: GeometryReport,
) -> ConversionResult:
    """Clean every NIfTI and sidecar dcm2niix wrote, check the primary, then move them to out_dir.

    Nothing reaches out_dir when a check fails.
    """
    niftis = sorted(output.folder.glob("*.nii"))
    if not niftis:
        raise ActionableError(
            "CONVERSION_FAILED",
            gettext_noop(
                "dcm2niix wrote no NIfTI file for series %(series_number)s (%(detail)s). "
                "Report the series to an administrator."
            ),
            series_number=group.series_number,
            detail=output.summary(),
        )
    sidecars = {}
    for nifti in niftis:
        sanitize_nifti_header(nifti)
        sidecars[nifti.name] = _clean_sidecar(nifti.with_suffix(".json"))

    primary = _choose_primary(niftis, stem)
    image = nib.load(primary)
    if not isinstance(image, nib.Nifti1Image):  # Nifti2Image is a subclass
        raise TypeError(f"dcm2niix wrote an unexpected image type: {type(image).__name__}")
    _verify_slice_count(group, geometry, image)
    shape = tuple(int(size) for size in image.shape)
    zooms = image.header.get_zooms()
    affine = np.asarray(image.affine, dtype=np.float64)

    moved = _move_outputs(output.folder, out_dir)
    return ConversionResult(
        primary=out_dir / primary.name,
        others=[out_dir / path.name for path in niftis if path != primary],
        sidecar=sidecars[primary.name],
        warnings=warnings,
        is_3d=len(shape) == 3 or (len(shape) == 4 and shape[3] == 1),
        shape=shape,
        spacing_mm=(float(zooms[0]), float(zooms[1]), float(zooms[2])),
        affine=affine,
        geometry=geometry,
        gradient_files=[path for path in moved if path.suffix in (".bval", ".bvec")],
    )


def _clean_sidecar(path: Path) -> dict[str, Any]:
    """Replace a raw dcm2niix sidecar with its allow-listed keys and return them."""
    if not path.exists():
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8", errors="replace"))
    except json.JSONDecodeError:
        logger.warning("Replaced an unreadable dcm2niix sidecar with an empty one")
        raw = {}
    clean = filter_sidecar(raw) if isinstance(raw, dict) else {}
    path.write_text(json.dumps(clean, indent=2), encoding="utf-8")
    return clean


def _move_outputs(folder: Path, out_dir: Path) -> list[Path]:
    """Move the cleaned NIfTI files, sidecars and gradient tables; drop anything else.

    shutil.move copies where the temporary folder lies on another file system than out_dir.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    moved = []
    for path in sorted(folder.iterdir()):
        if path.suffix not in OUTPUT_SUFFIXES:
            logger.warning("Dropped an unexpected dcm2niix output with suffix %s", path.suffix)
            continue
        target = out_dir / path.name
        shutil.move(path, target)
        moved.append(target)
    return moved


def _choose_primary(niftis: list[Path], stem: str) -> Path:
    """Pick the main image: the file named exactly after the stem, else the first echo.

    Phase, real, imaginary, ROI, tilt-corrected and equidistant copies come last.
    """
    exact = [path for path in niftis if path.name == f"{stem}.nii"]
    if exact:
        return exact[0]

    def rank(path: Path) -> tuple[bool, int, str]:
        secondary = any(suffix in path.name for suffix in SECONDARY_SUFFIXES)
        return secondary, len(path.name), path.name

    return min(niftis, key=rank)


def _verify_slice_count(
    group: SeriesGroup, geometry: GeometryReport, image: nib.Nifti1Image
) -> None:
    """Reject an output that does not hold one voxel layer per slice position.

    dcm2niix may rotate 3D acquisitions towards the nearest orthogonal axes, so the slice
    axis is the output axis most parallel to the DICOM slice normal, not always the third.
    """
    expected = geometry.slice_count
    if not expected or group.orientation is None or len(image.shape) < 3:
        return
    normal_lps = slice_normal(group.orientation)
    normal_ras = normal_lps * np.array([-1.0, -1.0, 1.0])
    axes = np.asarray(image.affine, dtype=float)[:3, :3]
    alignment = np.abs(normal_ras @ (axes / np.linalg.norm(axes, axis=0)))
    slice_axis = int(np.argmax(alignment))
    written = int(image.shape[slice_axis])
    if written == expected:
        return
    raise ActionableError(
        "CONVERTER_SLICE_COUNT_MISMATCH",
        gettext_noop(
            "dcm2niix wrote %(written)s slices for series %(series_number)s, but its files hold "
            "%(expected)s slice positions, so the volume was discarded. Report the series to an "
            "administrator."
        ),
        written=written,
        expected=expected,
        series_number=group.series_number,
    )
