"""Coded terms and colours written with each drawn region into DICOM SEG and Slicer files.

SNOMED CT has no concept for "whole tumour", "tumour core" or "enhancing tumour" as BraTS
defines them. Every region is therefore coded as category 49755003 (morphologically altered
structure) and type 108369006 (neoplasm) in the brain (12738006). The region key (WT, TC, ET)
goes into the segment label and tracking id, and our readers match segments on those.
"""

from pydicom.sr.coding import Code

CATEGORY = Code("49755003", "SCT", "Morphologically Altered Structure")
PROPERTY_TYPE = Code("108369006", "SCT", "Neoplasm")
ANATOMIC_REGION = Code("12738006", "SCT", "Brain")
DEFAULT_COLOR = "#808080"


def rgb_of(color: str | None) -> tuple[int, int, int]:
    """Parse a "#RRGGBB" protocol colour into 0-255 components."""
    text = (color or DEFAULT_COLOR).lstrip("#")
    return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)


def slicer_terminology_entry() -> str:
    """Build 3D Slicer's TerminologyEntry tag value: context~category~type~modifier~anatomy."""

    def triplet(code: Code) -> str:
        return f"{code.scheme_designator}^{code.value}^{code.meaning}"

    return "~".join(
        [
            "Segmentation category and type - 3D Slicer General Anatomy list",
            triplet(CATEGORY),
            triplet(PROPERTY_TYPE),
            "^^",
            "Anatomic codes - DICOM master list",
            triplet(ANATOMIC_REGION),
            "^^",
        ]
    )
