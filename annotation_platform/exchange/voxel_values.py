"""Voxel values of imported masks: integer labels 0-255, from integer or float storage."""

import numpy as np

from annotation_platform.errors import ActionableError, gettext_noop
from annotation_platform.exchange.results import ExchangeWarning

# Float masks are rounded only when every value lies this close to a whole number.
VALUE_TOLERANCE = 1e-3


def as_label_array(
    data: np.ndarray, *, tolerance: float = VALUE_TOLERANCE
) -> tuple[np.ndarray, list[ExchangeWarning]]:
    """Turn voxel data into uint8 labels, keeping shape and memory order.

    Integers must lie in 0-255. Floats are rounded only when every value lies within
    `tolerance` of a whole number; otherwise MASK_NOT_INTEGER names the worst value.
    """
    kind = data.dtype.kind
    if kind == "b":
        return data.astype(np.uint8), []
    if kind in "iu":
        _check_range(data)
        return data.astype(np.uint8, copy=False), []
    if kind != "f":
        raise ActionableError(
            "MASK_FORMAT_UNSUPPORTED",
            gettext_noop(
                "The mask stores voxels as %(dtype)s. Save it with integer labels (uint8 or "
                "int16) and upload it again."
            ),
            dtype=str(data.dtype),
        )
    return _round_floats(data, tolerance)


def _round_floats(data: np.ndarray, tolerance: float) -> tuple[np.ndarray, list[ExchangeWarning]]:
    if not np.isfinite(data).all():
        worst = data.flat[int(np.argmax(~np.isfinite(data.ravel(order="K"))))]
        _raise_not_integer(float(worst), tolerance)
    rounded = np.rint(data)
    deviation = np.abs(data - rounded)
    worst_index = int(np.argmax(deviation.ravel(order="K"))) if data.size else 0
    largest = float(deviation.ravel(order="K")[worst_index]) if data.size else 0.0
    if largest > tolerance:
        _raise_not_integer(float(data.ravel(order="K")[worst_index]), tolerance)
    _check_range(rounded)
    warnings = []
    if largest > 0:
        warnings.append(
            ExchangeWarning(
                "MASK_VALUES_ROUNDED",
                gettext_noop(
                    "The mask stores labels as floating-point numbers up to %(deviation)s away "
                    "from whole numbers. They were rounded to the nearest label."
                ),
                {"deviation": f"{largest:.2g}"},
            )
        )
    return rounded.astype(np.uint8), warnings


def _raise_not_integer(worst: float, tolerance: float) -> None:
    raise ActionableError(
        "MASK_NOT_INTEGER",
        gettext_noop(
            "The mask holds the value %(worst)s, which is not within %(tolerance)s of a whole "
            "label. It looks like a probability map or an interpolated mask: save the labels as "
            "integers (nearest-neighbour resampling) and upload again."
        ),
        worst=repr(worst),
        tolerance=tolerance,
    )


def _check_range(data: np.ndarray) -> None:
    if not data.size:
        return
    low, high = data.min(), data.max()
    if low < 0 or high > 255:
        raise ActionableError(
            "MASK_VALUES_OUT_OF_RANGE",
            gettext_noop(
                "The mask holds the value %(value)s, but labels must lie between 0 and 255. "
                "Check that the file is a label map and not an image."
            ),
            value=repr(float(low if low < 0 else high)),
        )
