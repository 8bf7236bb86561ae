"""Named, possibly overlapping segments (3D Slicer .seg.nrrd, DICOM SEG) into the bitmask.

Two readings of segment names exist in the wild. Segments named after drawn regions (WT, TC,
ET), as our own exports write them, each set exactly their own bit, so overlaps and nesting
violations stay as drawn. Files without a WT or TC segment are read as disjoint BraTS parts
(NCR, ED, ET), where each part sets the bits it implies (ET gives WT|TC|ET).
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from annotation_platform.errors import ActionableError, gettext_noop
from annotation_platform.exchange.conventions import BRATS_PARTS, resolve_label_name
from annotation_platform.exchange.regions import Expression, ProtocolRegions
from annotation_platform.exchange.results import ExchangeWarning, LabelMapping, MappedLabel


@dataclass(frozen=True)
class SegmentPlan:
    """The mapping of one segment of a file: canonical name, expression and bits.

    `exact` is True for a segment named after a drawn region, which sets only that region's bit.
    """

    number: int
    source_name: str
    name: str
    expression: Expression | None
    bits: int
    exact: bool


def plan_segments(
    segments: Sequence[tuple[int, str]],
    segment_regions: Mapping[str, str] | None,
    regions: ProtocolRegions,
) -> list[SegmentPlan]:
    """Map (number, name) segments to regions or parts, by `segment_regions` or their own name.

    Raises SEGMENTS_MISSING for a file without segments and SEGMENT_NAMES_UNKNOWN listing every
    segment whose name maps to nothing.
    """
    if not segments:
        raise ActionableError(
            "SEGMENTS_MISSING",
            gettext_noop(
                "The segmentation file describes no segments. Save it again with its segments."
            ),
        )
    resolved, unknown = [], []
    for number, source_name in segments:
        target = (segment_regions or {}).get(source_name, source_name)
        try:
            resolved.append((number, source_name, *resolve_label_name(target, regions)))
        except ActionableError:
            unknown.append(source_name[:64])
    if unknown:
        raise _unknown_names(unknown, regions)

    exact = any(name in regions.bits and name not in BRATS_PARTS for _, _, name, _ in resolved)
    plans = []
    for number, source_name, name, expression in resolved:
        if exact and name in regions.bits:
            plan = SegmentPlan(number, source_name, name, expression, regions.bits[name], True)
        else:
            bits = 0 if expression is None else regions.implied_bits(expression)
            plan = SegmentPlan(number, source_name, name, expression, bits, False)
        plans.append(plan)
    return plans


def _unknown_names(unknown: list[str], regions: ProtocolRegions) -> ActionableError:
    return ActionableError(
        "SEGMENT_NAMES_UNKNOWN",
        gettext_noop(
            "The segments %(segments)s have no region. Map each segment name to a region "
            "(%(regions)s) or a BraTS part (%(parts)s) and import again."
        ),
        segments=", ".join(unknown),
        regions=", ".join(regions.keys),
        parts=", ".join(BRATS_PARTS),
    )


def compose_bitmask(
    shape: tuple[int, ...],
    plans: Sequence[SegmentPlan],
    mask_of: Callable[[SegmentPlan], np.ndarray],
    *,
    strict: bool,
    protocol: str,
) -> tuple[np.ndarray, dict[int, int], list[ExchangeWarning]]:
    """OR each segment's bits into a new bitmask of `shape`, in the file's own grid.

    Segments that are no protocol region (resection cavity) are counted and left out, or raise
    LABEL_NOT_A_REGION when `strict`. Returns the bitmask, the left-out voxel counts by segment
    number, and their warnings.
    """
    bitmask = np.zeros(shape, dtype=np.uint8, order="F")
    left_out: dict[int, int] = {}
    warnings = []
    for plan in plans:
        mask = mask_of(plan)
        if plan.bits:
            bitmask[mask] |= np.uint8(plan.bits)
            continue
        voxels = int(np.count_nonzero(mask))
        left_out[plan.number] = voxels
        if voxels:
            warnings.append(_left_out(plan, voxels, protocol, strict))
    return bitmask, left_out, warnings


def _left_out(plan: SegmentPlan, voxels: int, protocol: str, strict: bool) -> ExchangeWarning:
    params = {
        "segment": plan.number,
        "name": plan.name,
        "voxels": voxels,
        "protocol": protocol,
    }
    if strict:
        raise ActionableError(
            "LABEL_NOT_A_REGION",
            gettext_noop(
                "Segment %(segment)s (%(name)s) covers %(voxels)s voxels but is not a region of "
                "protocol %(protocol)s. Remove it from the file, or import without strict "
                "checking to leave it out."
            ),
            **params,
        )
    return ExchangeWarning(
        "LABEL_LEFT_OUT",
        gettext_noop(
            "Segment %(segment)s (%(name)s) is not a region of protocol %(protocol)s, so its "
            "%(voxels)s voxels were left out."
        ),
        params,
    )


def segment_mapping(
    plans: Sequence[SegmentPlan],
    bitmask: np.ndarray,
    left_out: Mapping[int, int],
    regions: ProtocolRegions,
) -> LabelMapping:
    """Describe the applied mapping, counting each segment's voxels on the study grid.

    A segment that set one exact bit counts the voxels with that bit, and a part counts the
    voxels its expression selects. A left-out segment counts its voxels in the file.
    """
    counts = np.bincount(bitmask.ravel(order="K"), minlength=256)
    labels = []
    for plan in plans:
        if not plan.bits:
            voxels = left_out.get(plan.number, 0)
        elif plan.exact:
            voxels = int(counts[(np.arange(256) & plan.bits) != 0].sum())
        else:
            voxels = int(counts[regions.value_table(plan.expression or {})].sum())
        region_names = regions.regions_of_bits(plan.bits)
        labels.append(MappedLabel(plan.number, plan.name, region_names, voxels, plan.source_name))
    return LabelMapping(None, True, tuple(labels))
