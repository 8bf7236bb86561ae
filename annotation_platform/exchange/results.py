"""Return types shared by the readers and writers: warnings, the mapping applied, imported masks."""

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from annotation_platform.errors import render_message


@dataclass(frozen=True)
class ExchangeWarning:
    """A handled surprise that the user should see before saving or downloading.

    Same shape as `ActionableError` (code, `%(name)s` template marked with `gettext_noop`,
    JSON-serialisable params), so a page can store it and translate it later.
    """

    code: str
    template: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return render_message(self.template, self.params)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "template": self.template, "params": self.params}


@dataclass(frozen=True)
class MappedLabel:
    """The mapping of one label value or segment of an imported file to protocol regions.

    `value` is the label value (label maps) or the segment number (segmentations); `source_name`
    is the segment's name in the file, empty for label maps. `regions` lists the drawn regions
    whose bits the voxels received; it is empty for a label that was left out (resection cavity).
    `voxels` counts the label's voxels on the study grid.
    """

    value: int
    name: str
    regions: tuple[str, ...]
    voxels: int
    source_name: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "name": self.name,
            "regions": list(self.regions),
            "voxels": self.voxels,
            "source_name": self.source_name,
        }


@dataclass(frozen=True)
class LabelMapping:
    """The mapping an import applied, for the page to show before the mask is saved.

    `convention` is the label convention key for label maps and None for segmentations, whose
    segments are mapped by name. `declared` is False when the convention was assumed from the
    values alone.
    """

    convention: str | None
    declared: bool
    labels: tuple[MappedLabel, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "convention": self.convention,
            "declared": self.declared,
            "labels": [label.as_dict() for label in self.labels],
        }


@dataclass(eq=False)
class ImportedMask:
    """A mask read from a file and placed on the study's reference grid.

    `bitmask` is uint8 on the reference grid in NIfTI order, one bit per drawn region. `labels`
    is the file's label map on the same grid (label-map formats only, None for segmentations).
    `placement` is how the file's grid was fitted: identical, reoriented, placed (a sub-grid at
    an integer voxel offset) or resampled (nearest neighbour).
    """

    bitmask: np.ndarray
    labels: np.ndarray | None
    mapping: LabelMapping
    placement: str
    warnings: list[ExchangeWarning]


@dataclass
class WrittenFiles:
    """The files an export writer wrote, as names relative to the target, and its warnings."""

    files: list[str]
    warnings: list[ExchangeWarning]
