"""Recognise the MR sequence (T1, T1c, T2, FLAIR or other) of a DICOM series or a NIfTI file name.

A DICOM series is judged on two kinds of evidence:

- the description: SeriesDescription and ProtocolName (already cleaned by de-identification),
  matched word by word against English and Chinese keywords as hospitals write them;
- the physics: ScanningSequence, SequenceVariant, ScanOptions, SequenceName, RepetitionTime,
  EchoTime and InversionTime (ms), plus the enhanced-MR AcquisitionContrast.

Agreement gives a confidence of at least 0.9, the description alone 0.7, the physics alone 0.6,
and a conflict 0.35 with both votes in the evidence. T1 becomes T1c on contrast evidence: a
ContrastBolusAgent or ContrastBolusIngredient value, or words such as 'post', 'Gd', '+C', '增强'.
Series that cannot be annotated as one 3D volume (4D, diffusion, EPI, localiser, not MR) are
OTHER regardless of the description.

Evidence items are dicts {"code", "value", "sequence"?}. Their values are numbers, DICOM defined
terms or keywords from this module's vocabulary, never free text copied from a header or a name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any

import pydicom
from pydicom.multival import MultiValue


class Sequence(StrEnum):
    T1 = "T1"
    T1C = "T1c"
    T2 = "T2"
    FLAIR = "FLAIR"
    OTHER = "OTHER"
    LABEL = "LABEL"  # a label map (segmentation), only ever returned for file names


@dataclass(frozen=True)
class Recognition:
    """The recognised sequence, a confidence in [0, 1] and the evidence behind it."""

    sequence: Sequence
    confidence: float
    evidence: list[dict[str, Any]]

    @property
    def is_label_map(self) -> bool:
        return self.sequence is Sequence.LABEL

    def as_dict(self) -> dict[str, Any]:
        return {
            "sequence": str(self.sequence),
            "confidence": self.confidence,
            "is_label_map": self.is_label_map,
            "evidence": self.evidence,
        }


AGREEMENT_CONFIDENCE = 0.95
DESCRIPTION_CONFIDENCE = 0.7
NAME_CONVENTION_CONFIDENCE = 0.85
PHYSICS_CONFIDENCE = 0.6
CONFLICT_CONFIDENCE = 0.35
NO_EVIDENCE_CONFIDENCE = 0.1

S = Sequence


def _words(text: str) -> list[str]:
    return text.split()


# Whole tokens after splitting on non-alphanumerics and case changes, lower-cased.
FAMILY_WORDS: dict[str, Sequence] = {
    **dict.fromkeys(
        _words(
            "t1 t1w t1wi t1n t1pre mprage mp2rage bravo fspgr spgr vibe tfe t1tfe t1ffe t1se"
            " t1tse t1fse"
        ),
        S.T1,
    ),
    **dict.fromkeys(_words("t1c t1ce t1gd t1cgd t1post t1contrast t1enh t1wice"), S.T1C),
    **dict.fromkeys(_words("t2 t2w t2wi t2tse t2fse haste"), S.T2),
    **dict.fromkeys(_words("flair fla t2f t2flair darkfluid"), S.FLAIR),
    **dict.fromkeys(
        _words(
            "dwi adc trace tracew diff diffusion dti dki tensor ep2d swi swan swip pcasl casl"
            " pasl asl perfusion perf dsc dce bold fmri rest resting epi localizer localiser"
            " scout survey 3plane tof mra angio spectroscopy mrs svs csi fieldmap cbf cbv mtt"
            " t2star stir pd pdw pdwi moco mosaic calibration"
        ),
        S.OTHER,
    ),
}
# Tokens that name a label map. Only file names are checked for them.
LABEL_WORDS = frozenset(
    _words(
        "seg segmentation mask masks label labels labelmap brainmask ot otmulticlass multiclass"
        " gt groundtruth truth annotation roi aseg"
    )
)
# File-name tokens fixed by the BraTS conventions, which deserve more trust than free wording.
CONVENTION_WORDS = frozenset(_words("t1n t1c t2w t2f seg"))
CONTRAST_POSITIVE = frozenset(
    _words("post postcontrast gd gad gado gadolinium contrast ce enhanced enh")
)
CONTRAST_NEGATIVE = frozenset(
    _words("pre precontrast native plain noncontrast nonenhanced unenhanced")
)
FAT_SATURATION_WORDS = frozenset(_words("fs fatsat spair spir dixon"))
# Words often written as two ('dark-fluid', 'T2 star'), recognised when adjacent.
JOINED_WORDS = frozenset(_words("darkfluid t2star fatsat groundtruth labelmap brainmask"))
# Chinese has no word boundaries, so these are matched as substrings of the raw text.
CHINESE_KEYWORDS: dict[str, str | Sequence] = {
    "增强": "contrast+",  # enhanced (post-contrast)
    "平扫": "contrast-",  # plain (pre-contrast) scan
    "压脂": "fat_saturation",
    "抑脂": "fat_saturation",
    "水抑制": S.FLAIR,  # water suppression, the common Chinese name of FLAIR
    "液体衰减": S.FLAIR,  # fluid attenuated (inversion recovery)
    "定位": S.OTHER,  # localiser
    "弥散": S.OTHER,  # diffusion
    "扩散": S.OTHER,  # diffusion
    "灌注": S.OTHER,  # perfusion
    "磁敏感": S.OTHER,  # susceptibility weighted
    "波谱": S.OTHER,  # spectroscopy
    "血管": S.OTHER,  # angiography
}
# Patterns that tokenising would destroy: '+C', 'C+', '+Gd', 'C-', 'T2*', 'w/o'.
WORD_START = r"(?<![a-z0-9])"
WORD_END = r"(?![a-z0-9])"
RAW_PATTERNS: list[tuple[str, re.Pattern[str], str | Sequence]] = [
    ("+c", re.compile(rf"\+\s*(c|gd|gad|contrast){WORD_END}"), "contrast+"),
    ("c+", re.compile(rf"{WORD_START}(c|gd)\s*\+"), "contrast+"),
    ("c-", re.compile(rf"{WORD_START}c\s*-{WORD_END}"), "contrast-"),
    ("w/o", re.compile(rf"{WORD_START}w/o{WORD_END}"), "contrast-"),
    ("t2*", re.compile(rf"{WORD_START}t2\s*\*"), S.OTHER),
]
# Technique prefixes of Siemens SequenceName ('*tir2d1_21') and Philips PulseSequenceName
# ('T1TFE'), longest first, with the ScanningSequence-like codes they imply.
TECHNIQUE_PREFIXES: list[tuple[str, str]] = [
    ("spcir", "SE IR"), ("epfid", "EP"), ("epse", "EP"), ("ep_b", "EP"), ("t1tfe", "GR MP"),
    ("t1ffe", "GR"), ("grase", "SE"), ("tfl", "GR MP"), ("tir", "IR"), ("tse", "SE"),
    ("spc", "SE"), ("swi", "GR SWI"), ("tfe", "GR MP"), ("ffe", "GR"), ("epi", "EP"),
    ("ep", "EP"), ("fl", "GR"), ("se", "SE"),
]  # fmt: skip
# ImageType values that mark a series no one annotates as a structural volume.
OTHER_IMAGE_TYPES = frozenset(_words("LOCALIZER DIFFUSION ADC TRACEW FA EADC PERFUSION ASL MOSAIC"))
# Defined terms of ScanningSequence (0018,0020) and AcquisitionContrast (0008,9209).
SCANNING_SEQUENCES = frozenset(_words("SE IR GR EP RM"))
ACQUISITION_CONTRASTS = {
    **dict.fromkeys(
        _words(
            "DIFFUSION FLOW_ENCODED PERFUSION PROTON_DENSITY STIR TAGGING T2_STAR TOF UNKNOWN MIXED"
        ),
        S.OTHER,
    ),
    "T1": S.T1,
    "T2": S.T2,
    "FLUID_ATTENUATED": S.FLAIR,
}
NIFTI_SUFFIXES = (".nii.gz", ".nii", ".img.gz", ".img", ".hdr", ".mha", ".mhd", ".nrrd", ".gz")
CAMEL_BOUNDARY = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+[A-Za-z]?")
WEIGHTING_PREFIX = re.compile(r"^(t1|t2)([a-z]{2,})$")
DIMENSION_PREFIX = re.compile(r"^[23]d([a-z].*)$")
NO_VALUES = frozenset(["", "NONE", "NO", "N/A", "NA", "-", "0", "NULL"])


@dataclass(frozen=True)
class Vote:
    sequence: Sequence
    evidence: list[dict[str, Any]]
    confidence: float = DESCRIPTION_CONFIDENCE


@dataclass(frozen=True)
class DescriptionReading:
    family: Vote | None
    contrast: int  # +1 post-contrast words, -1 pre-contrast words, 0 none or both
    evidence: list[dict[str, Any]]


# --- tokens and descriptions -------------------------------------------------------------------


def tokenize(text: str) -> list[str]:
    """Split text into lower-case ASCII tokens, then split unknown tokens on case and prefixes.

    'T1c' stays one token (a known word), 'SubtrMeanDiv' becomes 'subtr', 'mean', 'div',
    'T1Flair' becomes 't1', 'flair', '3DpCASL' becomes 'pcasl', and 'dark-fluid' 'darkfluid'.
    """
    tokens: list[str] = []
    for chunk in re.findall(r"[A-Za-z0-9]+", text):
        tokens.extend(_split_chunk(chunk))
    joined = [first + second for first, second in zip(tokens, tokens[1:], strict=False)]
    return tokens + [word for word in joined if word in JOINED_WORDS]


def _split_chunk(chunk: str) -> list[str]:
    lower = chunk.lower()
    if _is_known(lower):
        return [lower]
    for pattern in (DIMENSION_PREFIX, WEIGHTING_PREFIX):
        match = pattern.match(lower)
        if match and all(_is_known(part) for part in match.groups()):
            return list(match.groups())
    parts = [part.lower() for part in CAMEL_BOUNDARY.findall(chunk)]
    return parts if len(parts) > 1 else [lower]


def _is_known(token: str) -> bool:
    return (
        token in FAMILY_WORDS
        or token in LABEL_WORDS
        or token in CONTRAST_POSITIVE
        or token in CONTRAST_NEGATIVE
    )


def read_description(text: str, *, source: str, allow_label: bool) -> DescriptionReading:
    """Match a description or a file name against the keyword tables and decide a family.

    `source` prefixes the evidence codes ('description', 'name', 'folder').
    """
    hits: list[tuple[str, str | Sequence]] = []
    lowered = text.lower()
    for label, pattern, meaning in RAW_PATTERNS:
        if pattern.search(lowered):
            hits.append((label, meaning))
    for word, meaning in CHINESE_KEYWORDS.items():
        if word in text:
            hits.append((word, meaning))
    for token in tokenize(text):
        token_meaning = _token_meaning(token, allow_label)
        if token_meaning is not None:
            hits.append((token, token_meaning))
    return _resolve_hits(hits, source)


def _token_meaning(token: str, allow_label: bool) -> str | Sequence | None:
    if allow_label and token in LABEL_WORDS:
        return S.LABEL
    if token in FAMILY_WORDS:
        return FAMILY_WORDS[token]
    if token in CONTRAST_POSITIVE:
        return "contrast+"
    if token in CONTRAST_NEGATIVE:
        return "contrast-"
    if token in FAT_SATURATION_WORDS:
        return "fat_saturation"
    return None


def _resolve_hits(hits: list[tuple[str, str | Sequence]], source: str) -> DescriptionReading:
    evidence: list[dict[str, Any]] = []
    families: set[Sequence] = set()
    modifiers: set[str] = set()
    for keyword, meaning in dict.fromkeys(hits):
        if isinstance(meaning, Sequence):
            families.add(meaning)
            item = {"code": f"{source}_keyword", "value": keyword, "sequence": str(meaning)}
        else:
            modifiers.add(meaning)
            item = {"code": f"{source}_{meaning.rstrip('+-')}", "value": keyword}
        evidence.append(item)
    contrast = int("contrast+" in modifiers) - int("contrast-" in modifiers)
    return DescriptionReading(_family_from_keywords(families), contrast, evidence)


def _family_from_keywords(found: set[Sequence]) -> Vote | None:
    """Decide one family. Precedence: label, other, T1 FLAIR, FLAIR, T1c, then T1 or T2."""
    if S.LABEL in found:
        return Vote(S.LABEL, [])
    if S.OTHER in found:
        return Vote(S.OTHER, [])
    t1_like = found & {S.T1, S.T1C}
    if S.FLAIR in found:
        # 'T1 FLAIR' is an inversion-recovery T1 (common on GE scanners), 'T2 FLAIR' a FLAIR.
        if t1_like and S.T2 not in found:
            return Vote(S.T1C if S.T1C in found else S.T1, [])
        return Vote(S.FLAIR, [])
    if t1_like and S.T2 in found:
        return None
    if S.T1C in found:
        return Vote(S.T1C, [])
    if S.T1 in found:
        return Vote(S.T1, [])
    if S.T2 in found:
        return Vote(S.T2, [])
    return None


# --- header values -----------------------------------------------------------------------------


def _values(meta: Mapping[str, Any], key: str) -> list[Any]:
    value = meta.get(key)
    if value is None:
        return []
    if isinstance(value, bytes):
        value = value.decode("ascii", errors="replace")
    if isinstance(value, str):
        return value.split("\\")
    if isinstance(value, Iterable):
        return list(value)
    return [value]


def _number(meta: Mapping[str, Any], key: str) -> float | None:
    for value in _values(meta, key):
        try:
            number = float(value)
        except (TypeError, ValueError):
            continue
        return number
    return None


def _numbers(meta: Mapping[str, Any], key: str) -> list[float]:
    numbers = []
    for value in _values(meta, key):
        try:
            numbers.append(float(value))
        except (TypeError, ValueError):
            continue
    return numbers


def _codes(meta: Mapping[str, Any], key: str) -> set[str]:
    return {str(value).strip().upper() for value in _values(meta, key) if str(value).strip()}


def _text(meta: Mapping[str, Any], *keys: str) -> str:
    return " ".join(" ".join(str(value) for value in _values(meta, key)) for key in keys).strip()


def _technique(meta: Mapping[str, Any]) -> tuple[set[str], list[dict[str, Any]]]:
    """Collect technique codes (SE, IR, GR, EP, MP, SWI) from the scanning and sequence tags."""
    codes = (_codes(meta, "ScanningSequence") & SCANNING_SEQUENCES) | (
        _codes(meta, "SequenceVariant") & {"MP"}
    )
    evidence: list[dict[str, Any]] = []
    if codes:
        evidence.append({"code": "scanning_sequence", "value": sorted(codes)})
    options = _codes(meta, "ScanOptions")
    if "IR" in options or any(option.startswith(("IR_", "T2FLAIR")) for option in options):
        codes.add("IR")
        evidence.append({"code": "scan_options", "value": "IR"})
    for key in ("SequenceName", "PulseSequenceName"):
        name = str(meta.get(key) or "").strip().lstrip("*").lower()
        for prefix, flags in TECHNIQUE_PREFIXES:
            if name.startswith(prefix):
                codes.update(flags.split())
                evidence.append({"code": "sequence_name", "value": prefix})
                break
    if str(meta.get("InversionRecovery") or "").upper() == "YES":
        codes.add("IR")
    return codes, evidence


def physics_vote(meta: Mapping[str, Any]) -> Vote | None:
    """Vote from the technique and timing, following textbook weighting rules."""
    codes, evidence = _technique(meta)
    tr = _number(meta, "RepetitionTime")
    te = _number(meta, "EchoTime")
    ti = _number(meta, "InversionTime")
    timing = {"tr_ms": tr, "te_ms": te, "ti_ms": ti}
    sequence = _weighting(codes, tr, te, ti)
    if sequence is None:
        return None
    evidence.append({"code": "timing", "value": timing, "sequence": str(sequence)})
    return Vote(sequence, evidence, PHYSICS_CONFIDENCE)


def _weighting(
    codes: set[str], tr: float | None, te: float | None, ti: float | None
) -> Sequence | None:
    if "EP" in codes or "SWI" in codes:
        return S.OTHER
    if "IR" in codes or "MP" in codes or (ti is not None and ti > 0):
        return _inversion_weighting(codes, tr, te, ti)
    if tr is None or te is None:
        return None
    if "GR" in codes:
        if te >= 15:
            return S.OTHER  # T2*-weighted gradient echo or susceptibility imaging
        return S.T1 if te <= 12 and tr <= 800 else None
    if tr >= 2000 and te >= 80:
        return S.T2
    if tr <= 1000 and te <= 30:
        return S.T1
    if tr >= 2000 and te <= 40:
        return S.OTHER  # proton density
    return None


def _inversion_weighting(
    codes: set[str], tr: float | None, te: float | None, ti: float | None
) -> Sequence | None:
    if ti is not None and ti >= 1500 and (tr is None or tr >= 4000):
        return S.FLAIR  # fluid nulled: TI near ln(2) times the T1 of CSF
    if ti is not None and ti < 300:
        return S.OTHER  # STIR: fat nulled
    short_te = te is not None and te <= 30
    if "GR" in codes and short_te and (tr is None or tr < 3000):
        return S.T1  # MPRAGE, BRAVO, TFE: inversion-prepared gradient echo
    if ti is not None and 500 <= ti <= 1300 and short_te:
        return S.T1  # T1 FLAIR / inversion-recovery spin echo
    return None


def header_vote(meta: Mapping[str, Any]) -> Vote | None:
    """Return the family that an enhanced MR object declares in AcquisitionContrast."""
    declared = str(meta.get("AcquisitionContrast") or "").strip().upper()
    if declared not in ACQUISITION_CONTRASTS or declared in ("UNKNOWN", "MIXED"):
        return None
    sequence = ACQUISITION_CONTRASTS[declared]
    evidence = [{"code": "acquisition_contrast", "value": declared, "sequence": str(sequence)}]
    return Vote(sequence, evidence, PHYSICS_CONFIDENCE)


def not_a_volume(meta: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Evidence that a series is no single structural 3D volume: 4D, diffusion, localiser."""
    reasons: list[dict[str, Any]] = []
    modality = str(meta.get("Modality") or "MR").strip().upper()
    if modality != "MR":
        shown = modality if re.fullmatch(r"[A-Z]{2,4}", modality) else "not MR"
        reasons.append({"code": "modality", "value": shown})
    image_types = _codes(meta, "ImageType") & OTHER_IMAGE_TYPES
    reasons += [{"code": "image_type", "value": value} for value in sorted(image_types)]
    for key in ("NumberOfTemporalPositions", "volume_count"):
        count = _number(meta, key)
        if count is not None and count > 1:
            reasons.append({"code": "temporal_positions", "value": int(count)})
    b_values = [b for b in _numbers(meta, "DiffusionBValue") if b > 0]
    if b_values:
        reasons.append({"code": "diffusion_b_value", "value": max(b_values)})
    return reasons


def contrast_agent_given(meta: Mapping[str, Any]) -> bool:
    for key in ("ContrastBolusAgent", "ContrastBolusIngredient"):
        if any(str(value).strip().upper() not in NO_VALUES for value in _values(meta, key)):
            return True
    return False


# --- combining the votes -----------------------------------------------------------------------


def recognize_dicom(meta: Mapping[str, Any]) -> Recognition:
    """Recognise a series from its header fields, keyed by DICOM keyword (see `header_fields`).

    Times are in ms as DICOM stores them. Besides the keywords, `volume_count` (the number of
    volumes the series converts to) and a list of every DiffusionBValue in the series are read.
    """
    description = _text(meta, "SeriesDescription", "ProtocolName")
    reading = read_description(description, source="description", allow_label=False)
    evidence = list(reading.evidence)

    blockers = not_a_volume(meta)
    if blockers:
        described = reading.family.sequence if reading.family else None
        confidence = AGREEMENT_CONFIDENCE if described in (None, S.OTHER) else 0.8
        return Recognition(S.OTHER, confidence, evidence + blockers)

    measured = _measured_vote(meta)
    if measured is not None:
        evidence += measured.evidence
    sequence, confidence = _combine(reading, measured, evidence)

    agent = contrast_agent_given(meta)
    if agent:
        evidence.append({"code": "contrast_agent_tag", "value": "present"})
    sequence, confidence = _apply_contrast(sequence, confidence, reading, agent, evidence)
    return Recognition(sequence, round(confidence, 2), evidence)


def _measured_vote(meta: Mapping[str, Any]) -> Vote | None:
    """Return the physics vote, overruled by a declared AcquisitionContrast."""
    physics = physics_vote(meta)
    declared = header_vote(meta)
    if declared is None:
        return physics
    if physics is None:
        return declared
    return Vote(declared.sequence, physics.evidence + declared.evidence, PHYSICS_CONFIDENCE)


def _family(sequence: Sequence) -> Sequence:
    return S.T1 if sequence is S.T1C else sequence


def _combine(
    reading: DescriptionReading, measured: Vote | None, evidence: list[dict[str, Any]]
) -> tuple[Sequence, float]:
    described = reading.family
    if described is None and measured is None:
        if reading.contrast > 0:
            # Only contrast words ('post Gd'): post-contrast series are usually T1-weighted.
            return S.T1C, PHYSICS_CONFIDENCE
        evidence.append({"code": "no_evidence", "value": None})
        return S.OTHER, NO_EVIDENCE_CONFIDENCE
    if described is None:
        assert measured is not None
        return measured.sequence, measured.confidence
    if measured is None:
        return described.sequence, described.confidence
    if _family(described.sequence) is _family(measured.sequence):
        evidence.append({"code": "agreement", "value": str(_family(measured.sequence))})
        return described.sequence, AGREEMENT_CONFIDENCE
    conflict = {"description": str(described.sequence), "physics": str(measured.sequence)}
    evidence.append({"code": "conflict", "value": conflict})
    return described.sequence, CONFLICT_CONFIDENCE


def _apply_contrast(
    sequence: Sequence,
    confidence: float,
    reading: DescriptionReading,
    agent: bool,
    evidence: list[dict[str, Any]],
) -> tuple[Sequence, float]:
    """Split T1 into T1 and T1c by contrast words and the contrast agent tags."""
    if _family(sequence) is not S.T1:
        return sequence, confidence
    described_post = reading.contrast > 0 or (
        reading.family is not None and reading.family.sequence is S.T1C
    )
    if reading.contrast < 0:
        if agent or described_post:
            evidence.append({"code": "contrast_conflict", "value": "pre-contrast words"})
            return S.T1, min(confidence, 0.5)
        return S.T1, confidence
    if described_post:
        return S.T1C, confidence
    if agent:
        # Some scanners keep the agent in every series after the injection, pre-contrast ones too.
        return S.T1C, min(confidence, 0.75)
    return S.T1, confidence


def recognize_filename(name: str) -> Recognition:
    """Recognise a NIfTI file from its name alone, BraTS and common hospital names included.

    `name` may be a relative path: folder names ('segmentation/', 't1c/') are read only when
    the file name itself contains no keyword.

    NOTE: a label map named without any label keyword ('fusion/mav.nii.gz') comes back as
    OTHER with confidence 0.1. Only its voxel values (few integer labels) could tell.
    """
    parts = [part for part in PureWindowsPath(PurePosixPath(name).as_posix()).parts if part]
    base = _strip_suffix(parts[-1]) if parts else ""
    reading = read_description(base, source="name", allow_label=True)
    confidence = DESCRIPTION_CONFIDENCE
    if reading.family is None and reading.contrast == 0:
        for folder in reversed(parts[:-1]):
            folder_reading = read_description(folder, source="folder", allow_label=True)
            if folder_reading.family is not None:
                reading, confidence = folder_reading, 0.5
                break
    evidence = list(reading.evidence)
    if reading.family is None:
        if reading.contrast > 0:
            return Recognition(S.T1C, PHYSICS_CONFIDENCE, evidence)
        evidence.append({"code": "no_evidence", "value": None})
        return Recognition(S.OTHER, NO_EVIDENCE_CONFIDENCE, evidence)
    if any(item.get("value") in CONVENTION_WORDS for item in evidence) and confidence > 0.5:
        confidence = NAME_CONVENTION_CONFIDENCE
    sequence, confidence = _apply_contrast(
        reading.family.sequence, confidence, reading, False, evidence
    )
    return Recognition(sequence, confidence, evidence)


def _strip_suffix(name: str) -> str:
    lowered = name.lower()
    for suffix in NIFTI_SUFFIXES:
        if lowered.endswith(suffix):
            return name[: -len(suffix)]
    return name


# --- reading the fields from a pydicom dataset -------------------------------------------------

HEADER_KEYWORDS = _words(
    "Modality ImageType SeriesDescription ProtocolName ScanningSequence SequenceVariant"
    " ScanOptions MRAcquisitionType SequenceName PulseSequenceName RepetitionTime EchoTime"
    " InversionTime FlipAngle ContrastBolusAgent ContrastBolusIngredient"
    " NumberOfTemporalPositions DiffusionBValue AcquisitionContrast InversionRecovery"
)
# Enhanced MR objects keep timing in functional groups: (group, attribute) -> classic keyword.
FUNCTIONAL_GROUP_FIELDS = {
    ("MRTimingAndRelatedParametersSequence", "RepetitionTime"): "RepetitionTime",
    ("MRTimingAndRelatedParametersSequence", "FlipAngle"): "FlipAngle",
    ("MREchoSequence", "EffectiveEchoTime"): "EchoTime",
    ("MRModifierSequence", "InversionRecovery"): "InversionRecovery",
    ("MRModifierSequence", "InversionTimes"): "InversionTime",
}


def header_fields(ds: pydicom.Dataset) -> dict[str, Any]:
    """Extract the fields `recognize_dicom` reads, as plain JSON-compatible values.

    Enhanced (multi-frame) MR objects are flattened: timing comes from the shared functional
    groups (else the first frame), b-values and temporal positions from every frame.
    """
    fields = {
        keyword: _plain(ds[keyword].value)
        for keyword in HEADER_KEYWORDS
        if keyword in ds and ds[keyword].value not in (None, "")
    }
    frames = list(ds.get("PerFrameFunctionalGroupsSequence") or [])
    shared = list(ds.get("SharedFunctionalGroupsSequence") or [])
    for (group, attribute), keyword in FUNCTIONAL_GROUP_FIELDS.items():
        if keyword in fields:
            continue
        for item in shared[:1] + frames[:1]:
            value = _group_value(item, group, attribute)
            if value is not None:
                fields[keyword] = value
                break
    b_values = [_group_value(frame, "MRDiffusionSequence", "DiffusionBValue") for frame in frames]
    if any(value is not None for value in b_values):
        fields["DiffusionBValue"] = sorted({value for value in b_values if value is not None})
    positions = {_group_value(f, "FrameContentSequence", "TemporalPositionIndex") for f in frames}
    positions.discard(None)
    if len(positions) > 1:
        fields["NumberOfTemporalPositions"] = len(positions)
    return fields


def _group_value(item: pydicom.Dataset, group: str, attribute: str) -> Any:
    sequence = item.get(group)
    if not sequence or attribute not in sequence[0]:
        return None
    value = sequence[0][attribute].value
    return None if value in (None, "") else _plain(value)


def _plain(value: Any) -> Any:
    if isinstance(value, MultiValue | list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, int | float):
        return float(value) if isinstance(value, float) else int(value)
    return str(value)
