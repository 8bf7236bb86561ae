"""Label conventions: which value of a disjoint label map means which part of a tumour, and the
conversions between such label maps and the protocol's bitmask.

BraTS changed its values over the years, so a file's values alone do not fix their meaning.
Label 4 is enhancing tumour in BraTS 2017-2021 and resection cavity in the BraTS 2024
post-treatment set. There, as in every BraTS release from 2023 on, enhancing tumour is 3. An
import therefore needs a declared convention whenever the values allow two readings.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from annotation_platform.errors import ActionableError, gettext_noop
from annotation_platform.exchange.regions import Expression, ProtocolRegions, cns_regions
from annotation_platform.exchange.results import ExchangeWarning, LabelMapping, MappedLabel
from annotation_platform.imaging.extent import apply_table, value_counts

# Tumour parts named by BraTS and related tools, as expressions over the CNS protocol's regions.
# None marks a part that is no region of the protocol: it is counted and left out on import.
BRATS_PARTS: dict[str, Expression | None] = {
    "NCR": {"op": "difference", "of": ["TC", "ET"]},  # necrotic or non-enhancing tumour core
    "NETC": {"op": "difference", "of": ["TC", "ET"]},  # BraTS 2024 name of NCR
    "NET": {"op": "region", "of": ["NET"]},  # non-enhancing tumour, BraTS 2013 label 3
    "ED": {"op": "difference", "of": ["WT", "TC"]},  # peritumoural oedema
    "SNFH": {"op": "difference", "of": ["WT", "TC"]},  # BraTS 2024 name of ED
    "ET": {"op": "region", "of": ["ET"]},  # enhancing tumour
    "RC": None,  # resection cavity, BraTS 2024 post-treatment
}
# Spelled-out names that label descriptions of ITK-SNAP or MITK files often use.
PART_ALIASES = {
    "NECROSIS": "NCR",
    "EDEMA": "ED",
    "OEDEMA": "ED",
    "ENHANCING": "ET",
    "RESECTION CAVITY": "RC",
}
MAX_LABEL_VALUE = 255


@dataclass(frozen=True)
class ConventionLabel:
    """One value of a convention; `expression` is None for a part that is no protocol region."""

    value: int
    name: str
    expression: Expression | None


@dataclass(frozen=True)
class Convention:
    """A label convention: values of a disjoint label map and the tumour part each one means."""

    key: str
    title: str
    labels: tuple[ConventionLabel, ...]

    @property
    def values(self) -> set[int]:
        return {label.value for label in self.labels}

    def as_dict(self) -> dict[str, Any]:
        """Return the convention for export metadata, so a reader can tell what 4 meant."""
        return {
            "key": self.key,
            "title": self.title,
            "labels": {str(label.value): label.name for label in self.labels},
        }


def _brats(key: str, title: str, names: Mapping[int, str]) -> Convention:
    labels = tuple(ConventionLabel(value, name, BRATS_PARTS[name]) for value, name in names.items())
    return Convention(key, title, labels)


BRATS_2017_2021 = _brats("brats-2017-2021", "BraTS 2017-2021", {1: "NCR", 2: "ED", 4: "ET"})
BRATS_2023 = _brats("brats-2023", "BraTS 2023 on", {1: "NCR", 2: "ED", 3: "ET"})
BRATS_2024_POST_TREATMENT = _brats(
    "brats-2024-post-treatment",
    "BraTS 2024 post-treatment",
    {1: "NCR", 2: "ED", 3: "ET", 4: "RC"},
)
# The labels of nnU-Net's BraTS region training (its Dataset137 conversion): 1 oedema,
# 2 non-enhancing core, 3 enhancing, so that whole tumour is {1, 2, 3} and tumour core {2, 3}.
NNUNET_BRATS_REGIONS = _brats(
    "nnunet-brats-regions", "nnU-Net BraTS regions", {1: "ED", 2: "NCR", 3: "ET"}
)
BUILTIN_CONVENTIONS = {
    convention.key: convention
    for convention in (
        BRATS_2017_2021,
        BRATS_2023,
        BRATS_2024_POST_TREATMENT,
        NNUNET_BRATS_REGIONS,
    )
}
# Used when a file without a declared convention holds only values 1, 2 and 3.
DEFAULT_CONVENTION = BRATS_2023


def custom_convention(
    names: Mapping[int, str] | Mapping[str, str],
    *,
    key: str = "custom",
    title: str = "Custom label map",
    regions: ProtocolRegions | None = None,
) -> Convention:
    """Build a convention from a value -> name map such as {1: "ED", 2: "NCR", 3: "ET"}.

    A name is a region key of the protocol (WT, TC, ET, NET), a BraTS part (NCR, NETC, ED,
    SNFH, ET, RC) or one of a few spelled-out aliases (necrosis, oedema, enhancing). Values may
    be given as strings of digits, as JSON object keys are. Raises LABEL_MAP_INVALID for a value
    outside 1-255 and LABEL_NAME_UNKNOWN for other names.
    """
    regions = regions or cns_regions()
    labels = []
    for value, name in sorted((_label_value(value), name) for value, name in names.items()):
        canonical, expression = resolve_label_name(str(name), regions)
        labels.append(ConventionLabel(value, canonical, expression))
    return Convention(key, title, tuple(labels))


def _label_value(value: object) -> int:
    if isinstance(value, str) and value.isdecimal():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_LABEL_VALUE:
        return value
    raise ActionableError(
        "LABEL_MAP_INVALID",
        gettext_noop(
            "The custom label mapping gives value %(value)s, but label values must be whole "
            "numbers from 1 to 255 (0 is background). Correct the map."
        ),
        value=str(value)[:16],
    )


def resolve_label_name(name: str, regions: ProtocolRegions) -> tuple[str, Expression | None]:
    """Return the canonical name and expression of a label or segment name (case-insensitive).

    Raises LABEL_NAME_UNKNOWN for a name that is neither a region nor a known part.
    """
    upper = name.strip().upper()
    upper = PART_ALIASES.get(upper, upper)
    for key in regions.keys:
        if key.upper() == upper:
            return key, {"op": "region", "of": [key]}
    if upper in BRATS_PARTS:
        return upper, BRATS_PARTS[upper]
    raise ActionableError(
        "LABEL_NAME_UNKNOWN",
        gettext_noop(
            "The label name %(name)s is not known. Use a region of the protocol (%(regions)s) "
            "or a BraTS part (%(parts)s)."
        ),
        name=name[:64],
        regions=", ".join(regions.keys),
        parts=", ".join(BRATS_PARTS),
    )


def protocol_conventions(regions: ProtocolRegions | None = None) -> dict[str, Convention]:
    """Return the export conventions the protocol defines, with its own label expressions."""
    regions = regions or cns_regions()
    conventions = {}
    for entry in regions.export_conventions:
        labels = tuple(
            ConventionLabel(int(label["value"]), label["name"], label["expression"])
            for label in entry["labels"]
        )
        title = entry.get("name", {}).get("en", entry["key"])
        conventions[entry["key"]] = Convention(entry["key"], title, labels)
    return conventions


def convention_by_key(key: str, regions: ProtocolRegions | None = None) -> Convention:
    """Find a convention by key: the protocol's own first, then the built-in BraTS ones."""
    known = {**BUILTIN_CONVENTIONS, **protocol_conventions(regions)}
    if key in known:
        return known[key]
    raise ActionableError(
        "LABEL_CONVENTION_UNKNOWN",
        gettext_noop("The label convention %(key)s is not known. Choose one of %(known)s."),
        key=key[:64],
        known=", ".join(sorted(known)),
    )


def label_counts(labels: np.ndarray) -> np.ndarray:
    """Count the voxels of each uint8 value; returns 256 counts."""
    if labels.ndim == 3:
        return value_counts(labels)
    return np.bincount(labels.ravel(order="K"), minlength=256)


def choose_convention(
    present: Iterable[int], declared: Convention | None
) -> tuple[Convention, list[ExchangeWarning]]:
    """Decide how to read a label map whose non-zero values are `present`.

    A declared convention is checked against the values. Without one, only values 1, 2 and 3
    are read, as BraTS 2023 on, with a warning that shows the mapping (an empty map needs no
    warning). Raises
    AMBIGUOUS_LABEL_CONVENTION for a value 4 and LABEL_VALUES_NOT_IN_CONVENTION for values no
    convention explains.
    """
    values = sorted(int(value) for value in present if value)
    if declared is not None:
        _check_values(values, declared)
        return declared, []
    if not values:
        return DEFAULT_CONVENTION, []
    unknown = [value for value in values if value > 4]
    if unknown:
        raise ActionableError(
            "LABEL_VALUES_UNKNOWN",
            gettext_noop(
                "The label map holds values %(unknown)s, which no BraTS convention defines. "
                "Give a custom map from these values to region names."
            ),
            unknown=unknown,
        )
    if 4 in values:
        raise ActionableError(
            "AMBIGUOUS_LABEL_CONVENTION",
            gettext_noop(
                "The label map holds values %(values)s without a declared convention. Value 4 "
                "could be enhancing tumour (BraTS 2017-2021) or resection cavity (BraTS 2024 "
                "post-treatment). Choose the convention the file was made with."
            ),
            values=values,
        )
    warning = ExchangeWarning(
        "LABEL_CONVENTION_ASSUMED",
        gettext_noop(
            "No label convention was declared, so values %(values)s were read as %(convention)s "
            "(%(labels)s). Check the mapping before saving, or declare the convention."
        ),
        {"values": values, "convention": DEFAULT_CONVENTION.key, "labels": _describe(values)},
    )
    return DEFAULT_CONVENTION, [warning]


def _describe(values: list[int]) -> str:
    names = {label.value: label.name for label in DEFAULT_CONVENTION.labels}
    return ", ".join(f"{value} {names[value]}" for value in values)


def _check_values(values: Iterable[int], convention: Convention) -> None:
    unknown = sorted(set(values) - convention.values)
    if unknown:
        raise ActionableError(
            "LABEL_VALUES_NOT_IN_CONVENTION",
            gettext_noop(
                "The label map holds values %(unknown)s, which convention %(convention)s does "
                "not define (it defines %(defined)s). Choose the convention the file was made "
                "with, or give a custom map for these values."
            ),
            unknown=unknown,
            convention=convention.key,
            defined=sorted(convention.values),
        )


def label_map_to_bitmask(
    labels: np.ndarray,
    convention: Convention,
    *,
    regions: ProtocolRegions | None = None,
    declared: bool = True,
    strict: bool = False,
) -> tuple[np.ndarray, LabelMapping, list[ExchangeWarning]]:
    """Convert a uint8 label map into the protocol bitmask, keeping its shape and memory order.

    Each value gets the bits its part implies, so NCR -> WT|TC, ED -> WT, ET -> WT|TC|ET.
    Parts that are no protocol region (RC) are left out with a warning that names the count,
    or raise LABEL_NOT_A_REGION when `strict`. Values the convention lacks raise
    LABEL_VALUES_NOT_IN_CONVENTION.
    """
    regions = regions or cns_regions()
    counts = label_counts(labels)
    _check_values(np.flatnonzero(counts[1:]) + 1, convention)

    table = np.zeros(256, dtype=np.uint8)
    mapped = []
    for label in convention.labels:
        bits = 0 if label.expression is None else regions.implied_bits(label.expression)
        table[label.value] = bits
        voxels = int(counts[label.value])
        mapped.append(MappedLabel(label.value, label.name, regions.regions_of_bits(bits), voxels))
    warnings = _left_out(mapped, convention, regions, strict)

    bitmask = np.empty_like(labels, dtype=np.uint8)
    np.take(table, labels, out=bitmask)
    mapping = LabelMapping(convention.key, declared, tuple(mapped))
    return bitmask, mapping, warnings


def _left_out(
    mapped: list[MappedLabel], convention: Convention, regions: ProtocolRegions, strict: bool
) -> list[ExchangeWarning]:
    warnings = []
    for label in mapped:
        if label.regions or not label.voxels:
            continue
        params = {
            "name": label.name,
            "value": label.value,
            "voxels": label.voxels,
            "convention": convention.key,
            "protocol": regions.protocol,
        }
        if strict:
            raise ActionableError(
                "LABEL_NOT_A_REGION",
                gettext_noop(
                    "Label %(value)s (%(name)s in %(convention)s) covers %(voxels)s voxels but "
                    "is not a region of protocol %(protocol)s. Remove it from the file, or "
                    "import without strict checking to leave it out."
                ),
                **params,
            )
        warnings.append(
            ExchangeWarning(
                "LABEL_LEFT_OUT",
                gettext_noop(
                    "Label %(value)s (%(name)s in %(convention)s) is not a region of protocol "
                    "%(protocol)s, so its %(voxels)s voxels were left out."
                ),
                params,
            )
        )
    return warnings


def bitmask_to_label_map(
    bitmask: np.ndarray, convention: Convention, *, regions: ProtocolRegions | None = None
) -> tuple[np.ndarray, list[ExchangeWarning]]:
    """Derive a disjoint uint8 label map from the bitmask with the convention's expressions.

    Labels are painted in the convention's order, so where two expressions select a voxel the
    later label wins. For example, ET drawn outside TC but inside WT is both ED and ET, and
    becomes ET. Each such overlap is reported with its voxel count. Parts that are no protocol
    region (RC) are never written.
    """
    regions = regions or cns_regions()
    counts = label_counts(bitmask)
    table = np.zeros(256, dtype=np.uint8)
    names = {0: ""}
    warnings = []
    for label in convention.labels:
        if label.expression is None:
            continue
        selected = regions.value_table(label.expression)
        overlap = selected & (table != 0)
        voxels = int(counts[overlap].sum())
        if voxels:
            earlier = sorted({names[int(value)] for value in table[overlap]})
            warnings.append(_overlap_warning(voxels, earlier, label, convention))
        table[selected] = label.value
        names[label.value] = label.name

    if bitmask.ndim == 3:
        return apply_table(table, bitmask), warnings
    labels = np.empty_like(bitmask, dtype=np.uint8)
    np.take(table, bitmask, out=labels)
    return labels, warnings


def _overlap_warning(
    voxels: int, earlier: list[str], label: ConventionLabel, convention: Convention
) -> ExchangeWarning:
    return ExchangeWarning(
        "LABELS_OVERLAP_ON_EXPORT",
        gettext_noop(
            "%(voxels)s voxels match both %(earlier)s and %(name)s in %(convention)s, because "
            "the drawn regions are not nested. They were written as %(name)s (%(value)s). "
            "Check the region nesting in the annotation."
        ),
        {
            "voxels": voxels,
            "earlier": ", ".join(earlier),
            "name": label.name,
            "value": label.value,
            "convention": convention.key,
        },
    )
