"""Coded terms and colours written with each drawn region into DICOM SEG and Slicer files.

SNOMED CT has no concept for "whole tumour", "tumour core" or "enhancing tumour" as BraTS
defines them, so every region is coded as category 49755003 (morphologically altered
structure) and type 108369006 (neoplasm) in the brain (12738006), and the region key (WT, TC,
ET) goes into the segment label and tracking id, which is what our readers match on.
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
    """The TerminologyEntry tag value 3D Slicer reads: context~category~type~modifier~anatomy."""

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
