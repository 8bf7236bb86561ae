"""The region algebra of a label protocol: the bit of each drawn region, and which voxels of a
bitmask a label expression selects.

A label expression is the protocol's `{"op": ..., "of": [region keys]}` object, with op one of
region, difference (first minus second), union and intersection. A key may name a derived
region, and then that region's own expression is evaluated. Because a bitmask is uint8, every
expression is evaluated once on the 256 possible voxel values, and applying it to a mask is one
table look-up.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from annotation_platform.errors import ActionableError, gettext_noop
from annotation_platform.imaging.extent import apply_table
from annotation_platform.protocols.definition import builtin_definition_paths, load_definition

Expression = Mapping[str, Any]
ALL_VALUES = np.arange(256, dtype=np.uint8)
CNS_PROTOCOL_FILE = "cns-tumour-1.0.0.json"


@dataclass(frozen=True, eq=False)
class ProtocolRegions:
    """The regions of one protocol version, as the exchange formats need them.

    `bits` maps each drawn region to its bit, and `within` maps a region to the region it lies
    in (ET in TC, TC in WT). `derived` maps a derived region to its expression.
    """

    protocol: str
    bits: dict[str, int]
    within: dict[str, str]
    derived: dict[str, Expression]
    drawn_on: dict[str, str]
    colors: dict[str, str]
    reference_sequence: str
    naming_pattern: str
    export_conventions: tuple[Mapping[str, Any], ...]

    @classmethod
    def from_definition(cls, definition: Mapping[str, Any]) -> "ProtocolRegions":
        regions = definition["regions"]
        drawn = [region for region in regions if "derived" not in region]
        return cls(
            protocol=f"{definition['key']} {definition['version']}",
            bits={region["key"]: int(region["bit"]) for region in drawn},
            within={region["key"]: region["within"] for region in regions if "within" in region},
            derived={region["key"]: region["derived"] for region in regions if "derived" in region},
            drawn_on={region["key"]: region["drawn_on"] for region in drawn},
            colors={region["key"]: region["color"] for region in regions if "color" in region},
            reference_sequence=definition["reference_sequence"],
            naming_pattern=definition["export_naming"],
            export_conventions=tuple(definition["export_conventions"]),
        )

    @property
    def keys(self) -> list[str]:
        """Drawn regions first, then derived ones, each in protocol order."""
        return [*self.bits, *self.derived]

    def sequence_of(self, key: str) -> str:
        """Return the sequence a region is drawn on, or the reference sequence for a derived one."""
        return self.drawn_on.get(key, self.reference_sequence)

    def select(self, bitmask: np.ndarray, expression: Expression) -> np.ndarray:
        """Return a boolean array: the voxels of `bitmask` that `expression` selects."""
        if bitmask.ndim == 3:
            return apply_table(self.value_table(expression), bitmask)
        return self.value_table(expression)[bitmask]

    def value_table(self, expression: Expression, depth: int = 0) -> np.ndarray:
        """Evaluate `expression` on every uint8 voxel value; returns 256 booleans."""
        if depth > len(self.derived):
            raise _invalid_expression(self.protocol, expression, "loop")
        operands = [self._region_table(key, expression, depth) for key in expression["of"]]
        op = expression["op"]
        if op == "region" and len(operands) == 1:
            return operands[0]
        if op == "difference" and len(operands) == 2:
            return operands[0] & ~operands[1]
        if op == "union" and operands:
            return np.logical_or.reduce(operands)
        if op == "intersection" and operands:
            return np.logical_and.reduce(operands)
        raise _invalid_expression(self.protocol, expression, "operation")

    def _region_table(self, key: str, expression: Expression, depth: int) -> np.ndarray:
        if key in self.bits:
            return (ALL_VALUES & self.bits[key]) != 0
        if key in self.derived:
            return self.value_table(self.derived[key], depth + 1)
        raise _invalid_expression(self.protocol, expression, "region", region=key)

    def implied_bits(self, expression: Expression) -> int:
        """Return the bits a voxel of a disjoint label defined by `expression` gets on import.

        The voxel lies in the first operand of a difference, in the one region of `region` and in
        every operand of an intersection, and in each region that those lie within (ET in TC in
        WT), so NCR = TC - ET gives TC and WT. A union leaves open which region the voxel is in.
        """
        bits = self._positive_bits(expression, 0)
        if not self.value_table(expression)[bits]:
            raise _invalid_expression(self.protocol, expression, "empty")
        return bits

    def _positive_bits(self, expression: Expression, depth: int) -> int:
        op = expression["op"]
        if depth > len(self.derived):
            raise _invalid_expression(self.protocol, expression, "loop")
        if op == "union":
            raise _invalid_expression(self.protocol, expression, "union")
        keys = expression["of"][:1] if op == "difference" else expression["of"]
        bits = 0
        for key in keys:
            if key in self.derived:
                bits |= self._positive_bits(self.derived[key], depth + 1)
            else:
                bits |= self._bits_with_containers(key, expression)
        return bits

    def _bits_with_containers(self, key: str, expression: Expression) -> int:
        bits = 0
        seen: set[str] = set()
        while key and key not in seen:
            if key not in self.bits:
                raise _invalid_expression(self.protocol, expression, "region", region=key)
            seen.add(key)
            bits |= self.bits[key]
            key = self.within.get(key, "")
        return bits

    def regions_of_bits(self, bits: int) -> tuple[str, ...]:
        """Name the drawn regions whose bits are set in `bits`, in protocol order."""
        return tuple(key for key, bit in self.bits.items() if bits & bit)


# One template per reason, so that every message translates whole.
EXPRESSION_TEMPLATES = {
    "loop": gettext_noop(
        "The label expression %(expression)s cannot be evaluated, because the derived regions "
        "of protocol %(protocol)s refer to each other in a loop. Fix the protocol file."
    ),
    "operation": gettext_noop(
        "The label expression %(expression)s uses an operation or operand count that protocol "
        "%(protocol)s does not support. Use region, difference, union or intersection."
    ),
    "region": gettext_noop(
        "The label expression %(expression)s names %(region)s, which is not a region of "
        "protocol %(protocol)s. Name a region of the protocol, or map the label to one."
    ),
    "empty": gettext_noop(
        "No voxel can match the label expression %(expression)s in protocol %(protocol)s, "
        "because its regions exclude each other. Map the label to one region."
    ),
    "union": gettext_noop(
        "The label expression %(expression)s is a union, which leaves open which region of "
        "protocol %(protocol)s a labelled voxel is in. Map the label to one region."
    ),
}


def _invalid_expression(
    protocol: str, expression: Expression, reason: str, **params: str
) -> ActionableError:
    return ActionableError(
        "LABEL_EXPRESSION_INVALID",
        EXPRESSION_TEMPLATES[reason],
        expression=dict(expression),
        protocol=protocol,
        reason=reason,
        **params,
    )


@cache
def cns_regions() -> ProtocolRegions:
    """Load the regions of the built-in CNS tumour protocol (WT bit 1, TC 2, ET 4, NET)."""
    return ProtocolRegions.from_definition(load_definition(_builtin_path(CNS_PROTOCOL_FILE)))


def _builtin_path(name: str) -> Path:
    for path in builtin_definition_paths():
        if path.name == name:
            return path
    raise FileNotFoundError(name)
