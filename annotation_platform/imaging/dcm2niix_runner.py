"""Find and run dcm2niix, and turn its console messages into warnings or errors.

dcm2niix reports problems only as console text, and it still writes a volume after most of
them. Its messages are therefore matched here. Those that mean the volume is wrong (missing or
unevenly spaced slices, unknown orientation, uncorrected tilt) reject the conversion.
"""

import logging
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from annotation_platform.errors import ActionableError, gettext_noop

logger = logging.getLogger(__name__)

# The oldest dcm2niix accepted. dcm2niix's own reference outputs for the GE, Siemens mosaic and
# United Imaging test series were made with v1.0.20241127, and v1.0.20260724 (PyPI) reproduces
# them. Debian 12 ships v1.0.20220720, which mis-converts several vendor files.
# NOTE: the Philips references were made with v1.0.20260416, so Philips output from versions
# between the minimum and that one is untested.
DCM2NIIX_MIN_VERSION = (1, 0, 20241127)
DCM2NIIX_PYPI_VERSION = "1.0.20260724"
VERSION_PATTERN = re.compile(r"v(\d+)\.(\d+)\.(\d{8})")
PROGRESS_PATTERN = re.compile(r"^Progress:\s*([0-9.]+)")
MAX_DETAIL_CHARS = 200

# Messages after which dcm2niix's volume misplaces voxels, as (pattern, error code).
FATAL_MESSAGES = (
    (re.compile(r"Interslice distance varies|Missing images\?|equidistant slices"), "uneven"),
    (re.compile(r"Bogus spatial matrix|Unable to determine spatial orientation"), "geometry"),
    (re.compile(r"gantry tilt", re.IGNORECASE), "tilt"),
)
# Warnings that do not affect the volume's correctness: empty fields that de-identification
# blanks on purpose, and an instance order that dcm2niix sorts by position itself.
IGNORED_WARNINGS = re.compile(
    r"Empty protocol name|Unable to determine manufacturer|Patient Position \(0018,5100\) "
    r"not specified|Instance Number \(0020,0013\) order is not spatial"
)


@dataclass
class ConverterOutput:
    """The output folder, exit code and console lines of one dcm2niix run."""

    folder: Path
    exit_code: int
    lines: list[str]
    work_dir: Path

    def check(self, series_number: int | None) -> list[dict[str, Any]]:
        """Raise ActionableError for a failed run or a fatal message; return other warnings."""
        if self.exit_code != 0 or self.errors():
            raise ActionableError(
                "CONVERSION_FAILED",
                gettext_noop(
                    "dcm2niix failed on series %(series_number)s with exit code %(exit_code)s "
                    "(%(detail)s). Report the series to an administrator."
                ),
                series_number=series_number,
                exit_code=self.exit_code,
                detail=self.summary(),
            )
        warnings = []
        for line in self.lines:
            for pattern, kind in FATAL_MESSAGES:
                if pattern.search(line):
                    _raise_fatal(kind, series_number, self.clean(line))
            if line.startswith("Warning:") and not IGNORED_WARNINGS.search(line):
                warnings.append(_converter_warning(self.clean(line)))
        return warnings

    def errors(self) -> list[str]:
        return [line for line in self.lines if line.startswith("Error")]

    def summary(self) -> str:
        """Return the error lines, or else the last line, without temporary paths."""
        chosen = self.errors() or self.lines[-1:]
        return self.clean(" ".join(chosen))

    def clean(self, line: str) -> str:
        """Drop temporary folder names from a console line and shorten it."""
        text = line.replace(str(self.work_dir) + os.sep, "").replace(str(self.work_dir), "")
        return text.strip()[:MAX_DETAIL_CHARS]


def find_dcm2niix(executable: Path | None = None) -> Path:
    """Return a dcm2niix binary of at least DCM2NIIX_MIN_VERSION.

    Looks in the running interpreter's bin folder (where pip installs the PyPI package), then
    on PATH, unless `executable` names one. Raises ActionableError when none is usable.
    """
    interpreter_bin = Path(sys.executable).parent / "dcm2niix"
    on_path = shutil.which("dcm2niix")
    if executable is not None:
        candidates = [executable]
    else:
        candidates = [interpreter_bin, *([Path(on_path)] if on_path else [])]
    found = [path for path in candidates if path.is_file() and os.access(path, os.X_OK)]
    if not found:
        raise ActionableError(
            "DCM2NIIX_NOT_FOUND",
            gettext_noop(
                "dcm2niix was not found at %(searched)s or on PATH. Install the PyPI package "
                "into the server's Python environment: pip install dcm2niix==%(version)s."
            ),
            searched=str(candidates[0]),
            version=DCM2NIIX_PYPI_VERSION,
        )
    binary = found[0]
    version = dcm2niix_version(binary)
    if version is None or version < DCM2NIIX_MIN_VERSION:
        raise ActionableError(
            "DCM2NIIX_TOO_OLD",
            gettext_noop(
                "dcm2niix at %(path)s is version %(found)s, older than %(minimum)s, and older "
                "builds mis-convert some vendor files. Install the PyPI package into the "
                "server's Python environment: pip install dcm2niix==%(version)s."
            ),
            path=str(binary),
            found=".".join(map(str, version)) if version else "unknown",
            minimum=".".join(map(str, DCM2NIIX_MIN_VERSION)),
            version=DCM2NIIX_PYPI_VERSION,
        )
    return binary


@lru_cache(maxsize=8)
def dcm2niix_version(binary: Path) -> tuple[int, int, int] | None:
    """Return dcm2niix's version as (major, minor, date), or None when it prints none."""
    try:
        completed = subprocess.run(
            [str(binary), "--version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        logger.warning("Could not run dcm2niix --version", exc_info=True)
        return None
    match = VERSION_PATTERN.search(completed.stdout + completed.stderr)
    if match is None:
        return None
    major, minor, date = (int(part) for part in match.groups())
    return major, minor, date


def run_dcm2niix(
    binary: Path,
    files: Sequence[Path],
    work_dir: Path,
    *,
    stem: str,
    timeout_s: float,
    on_progress: Callable[[float], None],
) -> ConverterOutput:
    """Link `files` into work_dir/in, run dcm2niix into work_dir/out and collect its output.

    Options: uncompressed NIfTI (-z n) for speed, a BIDS sidecar with dcm2niix's
    anonymisation (-b y -ba y), an empty aux_file comment (-c ""), a fixed file name without
    name, protocol or description placeholders (-f stem), and Slicer-style progress lines.
    HOME points at the work folder, so no user defaults file (~/.dcm2nii.ini) changes them.
    """
    input_dir = work_dir / "in"
    output_dir = work_dir / "out"
    input_dir.mkdir()
    output_dir.mkdir()
    _link_inputs(files, input_dir)

    command = [
        str(binary),
        *("-z", "n", "-b", "y", "-ba", "y", "-c", "", "-d", "0", "-w", "2"),
        *("--progress", "y", "-f", stem, "-o", str(output_dir), str(input_dir)),
    ]
    environment = {**os.environ, "HOME": str(work_dir)}
    exit_code, lines = _stream(command, environment, timeout_s, on_progress)
    return ConverterOutput(folder=output_dir, exit_code=exit_code, lines=lines, work_dir=work_dir)


def _link_inputs(files: Sequence[Path], input_dir: Path) -> None:
    """Hard-link each file under a neutral name (upload names can hold patient data).

    Falls back to a symbolic link where a hard link is impossible (another file system).
    """
    for index, path in enumerate(files):
        link = input_dir / f"{index:06d}.dcm"
        source = Path(path).resolve()
        try:
            os.link(source, link)
        except OSError:
            link.symlink_to(source)


def _stream(
    command: list[str],
    environment: dict[str, str],
    timeout_s: float,
    on_progress: Callable[[float], None],
) -> tuple[int, list[str]]:
    """Run the command, forward its progress lines and return its exit code and other lines."""
    timed_out = threading.Event()
    lines: list[str] = []
    with subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        env=environment,
    ) as process:

        def kill() -> None:
            timed_out.set()
            process.kill()

        timer = threading.Timer(timeout_s, kill)
        timer.start()
        try:
            assert process.stdout is not None  # stdout=PIPE guarantees a stream
            for raw_line in process.stdout:
                line = raw_line.rstrip()
                match = PROGRESS_PATTERN.match(line)
                if match:
                    on_progress(min(max(float(match.group(1)), 0.0), 1.0))
                elif line:
                    lines.append(line)
        finally:
            timer.cancel()
            if process.poll() is None:
                process.kill()
        exit_code = process.wait()
    if timed_out.is_set():
        raise ActionableError(
            "CONVERSION_TIMED_OUT",
            gettext_noop(
                "dcm2niix did not finish within %(timeout_s)s seconds. Retry the conversion; "
                "if it times out again, report the series to an administrator."
            ),
            timeout_s=timeout_s,
        )
    return exit_code, lines


def _raise_fatal(kind: str, series_number: int | None, detail: str) -> None:
    templates = {
        "uneven": (
            "CONVERTER_UNEVEN_SLICES",
            gettext_noop(
                "dcm2niix reported missing or unevenly spaced slices in series "
                "%(series_number)s (%(detail)s), so its volume was discarded. Upload the "
                "complete series."
            ),
        ),
        "geometry": (
            "CONVERTER_GEOMETRY_UNKNOWN",
            gettext_noop(
                "dcm2niix could not determine where the slices of series %(series_number)s lie "
                "in the patient (%(detail)s), so its volume was discarded. Export the series "
                "again with Image Position and Image Orientation (Patient)."
            ),
        ),
        "tilt": (
            "CONVERTER_GANTRY_TILT",
            gettext_noop(
                "dcm2niix reported gantry tilt in series %(series_number)s (%(detail)s), which "
                "it cannot correct for these images, so its volume was discarded. Reconstruct "
                "the series without tilt and upload it again."
            ),
        ),
    }
    code, template = templates[kind]
    raise ActionableError(code, template, series_number=series_number, detail=detail)


def _converter_warning(detail: str) -> dict[str, Any]:
    return {
        "code": "CONVERTER_WARNING",
        "template": gettext_noop("dcm2niix reported: %(detail)s"),
        "params": {"detail": detail},
    }
