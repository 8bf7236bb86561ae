"""Co-register a study's sequences onto one reference grid, where all of its labels live.

When every sequence already shares the reference grid (BraTS data: 240x240x155, 1 mm) the files
pass through untouched with identity transforms. Otherwise each moving sequence is rigidly
registered to the reference with SimpleITK and resampled onto the reference grid.

Coordinates: SimpleITK works in LPS millimetres internally, and the transform parameters
returned here are ITK's. The Euler3DTransform maps points of the reference (fixed) image to
points of the moving image. Its parameters are the angles in radians about the x, y and z axes,
then the translation in mm. Volumes are written with nibabel in NIfTI voxel order (x fastest)
and the reference's header geometry, so qform and sform equal the reference's exactly.
"""

from __future__ import annotations

import gzip
import logging
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nibabel as nib
import numpy as np
import SimpleITK as sitk

from annotation_platform.errors import ActionableError, gettext_noop

logger = logging.getLogger(__name__)

Progress = Callable[[float, str], None]

# Two grids are the same when the shapes are equal and every affine entry differs by at most
# this much (mm for the translation column, mm per voxel elsewhere).
GRID_TOLERANCE_MM = 1e-3
REFERENCE_PREFERENCE = ("T1c", "T1", "FLAIR")

# Registration settings. Sampling is random with a fixed seed and the thread count is fixed,
# because ITK sums the metric per thread, so the same inputs give the same transform.
# NOTE: only to about 1e-8 (mm and radians), not bit for bit: with SimpleITK 2.5.7 the
# parameters varied by about 1e-9 between runs, and by 1e-11 even on one thread without
# random sampling.
RANDOM_SEED = 20240601
DEFAULT_THREADS = 2
HISTOGRAM_BINS = 50
SHRINK_FACTORS = (4, 2, 1)
MIN_SHRUNK_SIZE = 16
SMOOTHING_SIGMAS_MM = (2.0, 1.0, 0.0)
SAMPLES_PER_LEVEL = 20_000
MAX_ITERATIONS = 200
MAX_STEP_MM = 2.0
GEOMETRY_HEADER_FIELDS = (
    "qform_code", "sform_code", "quatern_b", "quatern_c", "quatern_d", "qoffset_x", "qoffset_y",
    "qoffset_z", "srow_x", "srow_y", "srow_z",
)  # fmt: skip
TEXT_HEADER_FIELDS = ("descrip", "aux_file", "intent_name", "db_name")


@dataclass(frozen=True)
class AlignmentStep:
    """The action planned for one sequence: keep it as the reference, copy it or register it."""

    sequence: str
    path: Path
    action: str  # "reference", "copy" or "register"


@dataclass(frozen=True)
class AlignmentPlan:
    reference: str
    reference_path: Path
    shared_grid: bool
    steps: list[AlignmentStep]

    def step(self, sequence: str) -> AlignmentStep:
        return next(step for step in self.steps if step.sequence == sequence)


@dataclass(frozen=True)
class AlignmentResult:
    """A volume on the reference grid and how it got there.

    `transform` is JSON-compatible: type, parameters, fixed_parameters (the rotation centre),
    rotation_deg, translation_mm and the convention. `metric` is the final Mattes mutual
    information (negative, lower is better), None when nothing was registered.
    """

    out_path: Path
    transform: dict[str, Any]
    metric: float | None
    iterations: int = 0
    resampled: bool = False
    details: dict[str, Any] = field(default_factory=dict)


# --- grids -------------------------------------------------------------------------------------


def read_grid(
    source: Path | str | nib.Nifti1Header | nib.Nifti1Image,
) -> tuple[tuple[int, ...], np.ndarray]:
    """Return the spatial shape and the affine of a NIfTI path, image or header (header only)."""
    if isinstance(source, Path | str):
        source = _load(Path(source), "input")
    header = source.header if isinstance(source, nib.Nifti1Image | nib.Nifti2Image) else source
    shape = tuple(int(size) for size in header.get_data_shape()[:3])
    return shape, np.asarray(header.get_best_affine(), dtype=float)


def same_grid(
    sources: Iterable[Path | str | nib.Nifti1Header | nib.Nifti1Image],
    tol: float = GRID_TOLERANCE_MM,
) -> bool:
    """Tell whether all sources share one voxel grid: equal shapes, affines within `tol` mm.

    Fewer than two sources trivially share one grid.
    """
    grids = [read_grid(source) for source in sources]
    if len(grids) < 2:
        return True
    first_shape, first_affine = grids[0]
    return all(
        shape == first_shape and np.allclose(affine, first_affine, rtol=0, atol=tol)
        for shape, affine in grids[1:]
    )


def choose_reference(sequences: Iterable[str], preferred: str = "T1c") -> str:
    """Pick the reference sequence: the preferred one, else T1c, T1, FLAIR, else the first."""
    available = list(sequences)
    for candidate in (preferred, *REFERENCE_PREFERENCE):
        if candidate in available:
            return candidate
    return available[0]


def plan_alignment(paths_by_sequence: dict[str, Path], reference: str = "T1c") -> AlignmentPlan:
    """Plan the alignment of one study's 3D NIfTI volumes onto the reference's grid.

    Raises ActionableError ALIGNMENT_NO_VOLUMES for an empty study, NIFTI_UNREADABLE and
    ALIGNMENT_VOLUME_NOT_3D naming the sequence at fault.
    """
    if not paths_by_sequence:
        raise ActionableError(
            "ALIGNMENT_NO_VOLUMES",
            gettext_noop("The study has no volumes to align. Convert at least one series first."),
        )
    for sequence, path in paths_by_sequence.items():
        _check_volume(sequence, Path(path))
    chosen = choose_reference(paths_by_sequence, reference)
    reference_path = Path(paths_by_sequence[chosen])
    shared = same_grid([Path(path) for path in paths_by_sequence.values()])
    steps = [
        AlignmentStep(sequence, Path(path), _action(sequence, chosen, shared))
        for sequence, path in paths_by_sequence.items()
    ]
    return AlignmentPlan(chosen, reference_path, shared, steps)


def _action(sequence: str, reference: str, shared_grid: bool) -> str:
    if sequence == reference:
        return "reference"
    return "copy" if shared_grid else "register"


def _check_volume(sequence: str, path: Path) -> None:
    header = _load(path, sequence).header
    shape = tuple(int(size) for size in header.get_data_shape())
    if len(shape) < 3 or any(size > 1 for size in shape[3:]) or min(shape[:3]) < 1:
        raise ActionableError(
            "ALIGNMENT_VOLUME_NOT_3D",
            gettext_noop(
                "The %(sequence)s volume has shape %(shape)s, but only 3D volumes can be aligned."
                " Mark the series as OTHER or choose another series for %(sequence)s."
            ),
            sequence=sequence,
            shape=list(shape),
        )


def _load(path: Path, sequence: str) -> nib.Nifti1Image:
    """Load a NIfTI image lazily. `sequence` names it in errors ('T2', 'moving', 'reference')."""
    try:
        image = nib.load(path)
    except (OSError, nib.filebasedimages.ImageFileError, ValueError) as error:
        raise ActionableError(
            "NIFTI_UNREADABLE",
            gettext_noop(
                "The %(sequence)s volume could not be read as NIfTI (%(reason)s)."
                " Convert the series again."
            ),
            sequence=sequence,
            reason=type(error).__name__,
        ) from error
    if not isinstance(image, nib.Nifti1Image | nib.Nifti2Image):
        raise ActionableError(
            "NIFTI_UNREADABLE",
            gettext_noop("The %(sequence)s volume is not a NIfTI file. Convert the series again."),
            sequence=sequence,
        )
    return image


# --- pass-through ------------------------------------------------------------------------------


def copy_as_reference(path: Path, out: Path) -> AlignmentResult:
    """Copy a volume that is already on the reference grid, bytes unchanged.

    Only the gzip layer changes when `path` and `out` differ in the '.gz' suffix.
    """
    path, out = Path(path), Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    compressed_in, compressed_out = path.suffix == ".gz", out.suffix == ".gz"
    if compressed_in == compressed_out:
        shutil.copyfile(path, out)
    elif compressed_out:
        with path.open("rb") as source, gzip.open(out, "wb", compresslevel=1) as target:
            shutil.copyfileobj(source, target)
    else:
        with gzip.open(path, "rb") as source, out.open("wb") as target:
            shutil.copyfileobj(source, target)
    return AlignmentResult(out, identity_transform(), None)


def identity_transform() -> dict[str, Any]:
    return _transform_dict(sitk.Euler3DTransform())


def _transform_dict(transform: sitk.Euler3DTransform) -> dict[str, Any]:
    parameters = [float(value) for value in transform.GetParameters()]
    return {
        "type": "Euler3DTransform",
        "parameters": parameters,
        "fixed_parameters": [float(value) for value in transform.GetFixedParameters()],
        "rotation_deg": [float(np.degrees(angle)) for angle in parameters[:3]],
        "translation_mm": parameters[3:],
        "convention": "ITK LPS mm; maps reference points to moving points",
    }


# --- registration ------------------------------------------------------------------------------


def align_to_reference(
    moving: Path,
    reference: Path,
    out: Path,
    progress: Progress | None = None,
    *,
    threads: int = DEFAULT_THREADS,
) -> AlignmentResult:
    """Rigidly register `moving` to `reference`, resample it onto the reference grid, save it.

    Mattes mutual information, three resolution levels, random sampling with a fixed seed,
    linear interpolation. The output keeps the moving image's dtype (rounded and clipped for
    integer types) and the reference's qform and sform. Raises ActionableError
    REGISTRATION_FAILED when SimpleITK cannot register the pair.
    """
    report = progress or _ignore_progress
    report(0.0, "reading")
    fixed_image = _read_float(Path(reference), "reference")
    moving_image = _read_float(Path(moving), "moving")

    report(0.05, "initialising")
    method = _registration_method(fixed_image, threads)
    iterations = _attach_progress(method, report)
    try:
        initial, start = _initial_transform(method, fixed_image, moving_image)
        method.SetInitialTransform(initial, inPlace=False)
        composite = method.Execute(fixed_image, moving_image)
    except RuntimeError as error:
        # Constant images (empty histogram) and images that do not overlap end up here.
        reason = (str(error).strip().splitlines() or [""])[-1]
        logger.warning("Rigid registration failed: %s", reason)
        raise ActionableError(
            "REGISTRATION_FAILED",
            gettext_noop(
                "The sequences could not be co-registered: one may be empty or they may not"
                " overlap. Check both series and convert them again, or choose another"
                " reference sequence."
            ),
        ) from error
    transform = sitk.Euler3DTransform(composite.GetNthTransform(0))

    report(0.9, "resampling")
    resampled = _resample(moving_image, fixed_image, transform, threads)
    report(0.95, "writing")
    write_on_reference_grid(
        sitk.GetArrayViewFromImage(resampled), Path(reference), Path(moving), Path(out)
    )
    report(1.0, "done")
    details = {
        "initialisation": start,
        "stop_condition": method.GetOptimizerStopConditionDescription(),
    }
    return AlignmentResult(
        Path(out),
        _transform_dict(transform),
        float(method.GetMetricValue()),
        iterations[0],
        True,
        details,
    )


def _ignore_progress(fraction: float, stage: str) -> None:
    return None


def _read_float(path: Path, role: str) -> sitk.Image:
    _load(path, role)  # the same errors as everywhere else for files nibabel cannot read
    try:
        return sitk.ReadImage(str(path), sitk.sitkFloat32)
    except RuntimeError as error:
        raise ActionableError(
            "NIFTI_UNREADABLE",
            gettext_noop(
                "The %(sequence)s volume could not be read as NIfTI (%(reason)s)."
                " Convert the series again."
            ),
            sequence=role,
            reason="SimpleITK",
        ) from error


def _registration_method(fixed: sitk.Image, threads: int) -> sitk.ImageRegistrationMethod:
    method = sitk.ImageRegistrationMethod()
    method.SetMetricAsMattesMutualInformation(numberOfHistogramBins=HISTOGRAM_BINS)
    # Gradients at the sample points only: the default gradient images cost a full pass over
    # both volumes at every level, more than the sampled metric itself.
    method.MetricUseFixedImageGradientFilterOff()
    method.MetricUseMovingImageGradientFilterOff()
    method.SetMetricSamplingStrategy(method.RANDOM)
    method.SetMetricSamplingPercentagePerLevel(_sampling_percentages(fixed), RANDOM_SEED)
    method.SetInterpolator(sitk.sitkLinear)
    # With physical-shift scales, a fixed step length moves translations in mm but rotations
    # hardly at all. Estimating the learning rate at each iteration instead bounds every step
    # to MAX_STEP_MM of voxel motion.
    method.SetOptimizerAsRegularStepGradientDescent(
        learningRate=1.0,
        minStep=1e-3,
        numberOfIterations=MAX_ITERATIONS,
        relaxationFactor=0.5,
        gradientMagnitudeTolerance=1e-8,
        estimateLearningRate=method.EachIteration,
        maximumStepSizeInPhysicalUnits=MAX_STEP_MM,
    )
    method.SetOptimizerScalesFromPhysicalShift()
    method.SetShrinkFactorsPerLevel(list(shrink_factors(fixed)))
    method.SetSmoothingSigmasPerLevel(list(SMOOTHING_SIGMAS_MM))
    method.SmoothingSigmasAreSpecifiedInPhysicalUnitsOn()
    method.SetNumberOfThreads(threads)
    return method


def shrink_factors(fixed: sitk.Image) -> tuple[int, ...]:
    """SHRINK_FACTORS, reduced so that every axis keeps at least MIN_SHRUNK_SIZE voxels.

    SimpleITK shrinks all axes alike: 26 thick slices shrunk 4 times leave 6, on which the
    optimiser drifts. The smoothing of each level still runs coarse to fine.
    """
    limit = max(1, min(fixed.GetSize()) // MIN_SHRUNK_SIZE)
    return tuple(min(factor, limit) for factor in SHRINK_FACTORS)


def _sampling_percentages(fixed: sitk.Image) -> list[float]:
    """About SAMPLES_PER_LEVEL random samples at every level, whatever the image size."""
    percentages = []
    for shrink in shrink_factors(fixed):
        voxels = float(np.prod([max(1, size // shrink) for size in fixed.GetSize()]))
        percentages.append(min(1.0, SAMPLES_PER_LEVEL / voxels))
    return percentages


def _initial_transform(
    method: sitk.ImageRegistrationMethod, fixed: sitk.Image, moving: sitk.Image
) -> tuple[sitk.Euler3DTransform, str]:
    """Start from the better of the centred geometry and the scanner coordinates.

    CenteredTransformInitializer (GEOMETRY) aligns the image centres, which suits unrelated
    coordinates. But it shifts two scans of one session whose fields of view differ, and for
    those the scanner coordinates (no translation) are right. The lower metric value wins.
    """
    geometry = sitk.CenteredTransformInitializer(
        fixed, moving, sitk.Euler3DTransform(), sitk.CenteredTransformInitializerFilter.GEOMETRY
    )
    centred = sitk.Euler3DTransform(geometry)
    scanner = sitk.Euler3DTransform()
    scanner.SetCenter(centred.GetCenter())
    candidates = {"geometry": centred, "scanner": scanner}
    # MetricEvaluate reads every voxel at full resolution, so compare on block averages of
    # about 4 mm: the ranking is what matters here, and it costs milliseconds.
    probe = sitk.ImageRegistrationMethod()
    probe.SetMetricAsMattesMutualInformation(numberOfHistogramBins=HISTOGRAM_BINS)
    probe.SetInterpolator(sitk.sitkLinear)
    probe.SetNumberOfThreads(method.GetNumberOfThreads())
    coarse_fixed, coarse_moving = _block_average(fixed), _block_average(moving)
    scores: dict[str, float] = {}
    failure: RuntimeError | None = None
    for name, candidate in candidates.items():
        probe.SetInitialTransform(candidate, inPlace=False)
        try:
            scores[name] = probe.MetricEvaluate(coarse_fixed, coarse_moving)
        except RuntimeError as error:  # no overlap from this start, or a constant image
            failure = error
    if not scores:
        assert failure is not None
        raise failure
    best = min(scores, key=lambda name: scores[name])
    return candidates[best], best


def _block_average(image: sitk.Image, block_mm: float = 4.0) -> sitk.Image:
    factors = [max(1, int(block_mm // spacing)) for spacing in image.GetSpacing()]
    return sitk.BinShrink(image, factors)


def _attach_progress(method: sitk.ImageRegistrationMethod, report: Progress) -> list[int]:
    """Report progress from 0.1 to 0.9 over the levels and iterations.

    Returns a one-item list that counts the iterations while the registration runs.
    """
    iterations = [0]
    last_reported = [0.0]
    levels = len(SHRINK_FACTORS)

    def on_iteration() -> None:
        iterations[0] += 1
        within_level = min(method.GetOptimizerIteration() / MAX_ITERATIONS, 1.0)
        fraction = 0.1 + 0.8 * (method.GetCurrentLevel() + within_level) / levels
        if fraction >= last_reported[0] + 0.01:  # at most about 80 calls per registration
            last_reported[0] = fraction
            report(fraction, "registering")

    method.AddCommand(sitk.sitkIterationEvent, on_iteration)
    return iterations


def _resample(
    moving: sitk.Image, fixed: sitk.Image, transform: sitk.Transform, threads: int
) -> sitk.Image:
    resampler = sitk.ResampleImageFilter()
    resampler.SetReferenceImage(fixed)
    resampler.SetTransform(transform)
    resampler.SetInterpolator(sitk.sitkLinear)
    resampler.SetDefaultPixelValue(0.0)
    resampler.SetOutputPixelType(sitk.sitkFloat32)
    resampler.SetNumberOfThreads(threads)
    return resampler.Execute(moving)


# --- writing -----------------------------------------------------------------------------------


def write_on_reference_grid(
    voxels_zyx: np.ndarray, reference: Path, moving: Path, out: Path
) -> None:
    """Save voxels sampled on the reference grid with the reference's geometry.

    `voxels_zyx` is in SimpleITK's array order (z, y, x); its transpose is NIfTI's x-fastest
    order, so nibabel writes it without a copy. The dtype is the moving image's, or float32
    when the moving image has intensity scaling.
    """
    reference_image = _load(reference, "reference")
    dtype = _output_dtype(_load(moving, "moving"))
    data = _cast(np.asarray(voxels_zyx).T, dtype)

    header = reference_image.header.copy()
    header.set_data_dtype(dtype)
    header.set_slope_inter(np.nan, np.nan)
    for name in TEXT_HEADER_FIELDS:
        header[name] = b""
    del header.extensions[:]
    image = type(reference_image)(data, None, header)
    for name in GEOMETRY_HEADER_FIELDS:
        image.header[name] = reference_image.header[name]
    out.parent.mkdir(parents=True, exist_ok=True)
    nib.save(image, out)
    _verify_geometry(out, reference_image)


def _output_dtype(image: nib.Nifti1Image) -> np.dtype:
    # A loaded image keeps scl_slope and scl_inter on its array proxy, not in its header.
    slope = float(getattr(image.dataobj, "slope", 1.0))
    intercept = float(getattr(image.dataobj, "inter", 0.0))
    scaled = slope != 1.0 or intercept != 0.0
    return np.dtype(np.float32) if scaled else image.header.get_data_dtype()


def _cast(data: np.ndarray, dtype: np.dtype) -> np.ndarray:
    if np.issubdtype(dtype, np.integer):
        limits = np.iinfo(dtype)
        return np.clip(np.rint(data), limits.min, limits.max).astype(dtype)
    return data.astype(dtype, copy=False)


def _verify_geometry(out: Path, reference: nib.Nifti1Image) -> None:
    written, expected = _load(out, "output").header, reference.header
    for getter in ("get_qform", "get_sform"):
        matrix, code = getattr(written, getter)(coded=True)
        expected_matrix, expected_code = getattr(expected, getter)(coded=True)
        if code != expected_code or not np.array_equal(matrix, expected_matrix):
            raise RuntimeError(f"{out.name}: {getter[4:]} differs from the reference after saving")
    if written.get_data_shape()[:3] != expected.get_data_shape()[:3]:
        raise RuntimeError(f"{out.name}: shape differs from the reference after saving")


# --- a whole study -----------------------------------------------------------------------------


def run_alignment(
    plan: AlignmentPlan, out_dir: Path, progress: Progress | None = None, *, suffix: str = ".nii.gz"
) -> dict[str, AlignmentResult]:
    """Carry out a plan: write `<out_dir>/<sequence><suffix>` for every sequence of the study."""
    report = progress or _ignore_progress
    results: dict[str, AlignmentResult] = {}
    count = len(plan.steps)
    for index, step in enumerate(plan.steps):
        out = Path(out_dir) / f"{_safe_name(step.sequence)}{suffix}"

        def report_step(
            fraction: float, stage: str, index: int = index, step: AlignmentStep = step
        ) -> None:
            report((index + fraction) / count, f"{step.sequence}: {stage}")

        if step.action == "register":
            results[step.sequence] = align_to_reference(
                step.path, plan.reference_path, out, report_step
            )
        else:
            results[step.sequence] = copy_as_reference(step.path, out)
        logger.info("Aligned sequence %s by %s", step.sequence, step.action)
    report(1.0, "done")
    return results


def _safe_name(sequence: str) -> str:
    if not sequence or not all(
        char.isascii() and (char.isalnum() or char in "_-") for char in sequence
    ):
        raise ValueError(f"sequence key {sequence!r} is not a safe file name")
    return sequence
