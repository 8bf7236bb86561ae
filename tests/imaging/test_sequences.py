"""Sequence recognition from DICOM header fields and from NIfTI file names."""

import gzip
import io
import json
from pathlib import Path
from typing import Any

import pydicom
import pytest

from annotation_platform.imaging.sequences import (
    Sequence,
    header_fields,
    recognize_dicom,
    recognize_filename,
    tokenize,
)


def read_header(path: Path) -> pydicom.Dataset:
    if path.suffix == ".gz":
        return pydicom.dcmread(
            io.BytesIO(gzip.decompress(path.read_bytes())), stop_before_pixels=True
        )
    return pydicom.dcmread(path, stop_before_pixels=True, force=True)


def codes(evidence: list[dict[str, Any]]) -> set[str]:
    return {item["code"] for item in evidence}


# --- real series -------------------------------------------------------------------------------

# One file per series in the reference data (every series there) and the expected sequence.
PHILIPS = "dicom/philips/ingenia_elition_"
TRIO = "dicom/siemens/trio_transfer_syntaxes/dicom"
REAL_SERIES = [
    ("dicom/ge/nih_discovery_mr750_epi_series4/dicom", "*-00001.dcm", Sequence.OTHER),
    ("dicom/siemens/nih_skyra_epi_mosaic_series3/dicom", "*.dcm", Sequence.OTHER),
    *[(TRIO, f"{n}.dcm", Sequence.OTHER) for n in range(1, 10)],
    ("dicom/uih/umr770_dti_tra_dir16_AP_series9/dicom", "*.dcm", Sequence.OTHER),
    (PHILIPS + "3dpcasl_series1901/dicom_classic", "*.dcm.gz", Sequence.OTHER),
    (PHILIPS + "3dpcasl_series1901/dicom_enhanced", "*.dcm.gz", Sequence.OTHER),
    (PHILIPS + "sag3d_t1_mprage_series1301/dicom_classic", "*.dcm.gz", Sequence.T1),
    ("dicom/pydicom-data", "emri_small.dcm", Sequence.T1),
]  # fmt: skip


@pytest.mark.parametrize(("folder", "pattern", "expected"), REAL_SERIES)
def test_real_series_is_recognized(
    data_dir: Path, folder: str, pattern: str, expected: Sequence
) -> None:
    path = sorted((data_dir / folder).glob(pattern))[0]
    result = recognize_dicom(header_fields(read_header(path)))

    assert result.sequence is expected
    assert result.confidence >= 0.6
    json.dumps(result.as_dict())


def test_philips_mprage_agrees_with_physics(data_dir: Path) -> None:
    folder = data_dir / "dicom/philips/ingenia_elition_sag3d_t1_mprage_series1301/dicom_classic"
    result = recognize_dicom(header_fields(read_header(sorted(folder.glob("*.dcm.gz"))[0])))

    assert result.confidence >= 0.9
    assert "agreement" in codes(result.evidence)


def test_fmri_series_reports_temporal_positions(data_dir: Path) -> None:
    folder = data_dir / "dicom/ge/nih_discovery_mr750_epi_series4/dicom"
    result = recognize_dicom(header_fields(read_header(sorted(folder.glob("*.dcm"))[0])))

    assert {"code": "temporal_positions", "value": 10} in result.evidence


def test_enhanced_header_fields_come_from_functional_groups(data_dir: Path) -> None:
    folder = data_dir / "dicom/philips/ingenia_elition_3dpcasl_series1901/dicom_enhanced"
    fields = header_fields(read_header(next(folder.glob("*.dcm.gz"))))

    assert fields["RepetitionTime"] == 4250
    assert fields["InversionRecovery"] == "NO"
    json.dumps(fields)


def test_non_mr_objects_are_other(data_dir: Path) -> None:
    for path in sorted((data_dir / "charset").glob("*.dcm")):
        result = recognize_dicom(header_fields(read_header(path)))
        assert result.sequence is Sequence.OTHER, path.name


@pytest.mark.parametrize("case", ["C01", "C19"])
def test_synthetic_case_series_is_t1(cases_dir: Path, case: str) -> None:
    path = sorted((cases_dir / case / "dicom").glob("*.dcm"))[0]
    result = recognize_dicom(header_fields(read_header(path)))

    assert result.sequence is Sequence.T1
    assert result.confidence >= 0.9


def test_t2_description_on_t1_timing_is_a_conflict(cases_dir: Path) -> None:
    """C05 is described as 'T2_AX' but has a gradient echo with TR 500 ms and TE 10 ms."""
    path = sorted((cases_dir / "C05/dicom").glob("*.dcm"))[0]
    result = recognize_dicom(header_fields(read_header(path)))

    assert result.sequence is Sequence.T2
    assert result.confidence < 0.5
    assert {"code": "conflict", "value": {"description": "T2", "physics": "T1"}} in result.evidence


def test_chinese_charset_case_series_is_t1(cases_dir: Path) -> None:
    for path in sorted((cases_dir / "C22").glob("*.dcm")):
        result = recognize_dicom(header_fields(read_header(path)))
        assert result.sequence is Sequence.T1, path.name


def test_evidence_never_copies_identifying_text(cases_dir: Path) -> None:
    """C19 headers still hold a patient name in SeriesDescription and an ID in ProtocolName."""
    expected = json.loads((cases_dir / "C19/expected.json").read_text())
    forbidden = expected["expected"]["forbidden_strings_anywhere_after_upload"]
    for path in sorted((cases_dir / "C19/dicom").glob("*.dcm")):
        fields = header_fields(read_header(path))
        fields["ContrastBolusAgent"] = "Testperson"
        serialised = json.dumps(recognize_dicom(fields).as_dict(), ensure_ascii=False).lower()
        for value in forbidden:
            assert value.lower() not in serialised


# --- synthetic header table --------------------------------------------------------------------

SE_T1 = {"ScanningSequence": "SE", "RepetitionTime": "550", "EchoTime": "12"}
SE_T2 = {"ScanningSequence": "SE", "RepetitionTime": "5000", "EchoTime": "100"}
IR_FLAIR = {
    "ScanningSequence": ["SE", "IR"],
    "RepetitionTime": 9000,
    "EchoTime": 120,
    "InversionTime": 2500,
}
MPRAGE = {
    "ScanningSequence": "GR\\IR",
    "SequenceVariant": ["SK", "SP", "MP"],
    "RepetitionTime": "2300",
    "EchoTime": "2.3",
    "InversionTime": "900",
    "SequenceName": "*tfl3d1_16ns",
}
BRAVO = {
    "ScanningSequence": "GR",
    "SequenceVariant": "SK\\MP\\SP",
    "ScanOptions": "FAST_GEMS\\IR_GEMS",
    "RepetitionTime": "8.2",
    "EchoTime": "3.2",
    "InversionTime": "450",
}
AGENT = {"ContrastBolusAgent": "Gadobutrol"}

# (description, extra header fields, expected sequence, minimum confidence, maximum confidence)
HEADER_CASES = [
    # Description and physics agree.
    ("t2_tirm_tra_dark-fluid", IR_FLAIR | {"SequenceName": "*tir2d1_21"}, Sequence.FLAIR, 0.9, 1),
    ("AX T2 FLAIR", IR_FLAIR, Sequence.FLAIR, 0.9, 1),
    ("AX T1 FLAIR", {"ScanningSequence": "SE\\IR", "RepetitionTime": 2200, "EchoTime": 12,
                     "InversionTime": 860}, Sequence.T1, 0.9, 1),
    ("t2_tse_tra", SE_T2 | {"SequenceName": "*tse2d1_11"}, Sequence.T2, 0.9, 1),
    ("T2WI", SE_T2, Sequence.T2, 0.9, 1),
    ("T1WI", SE_T1 | {"SequenceName": "*se2d1"}, Sequence.T1, 0.9, 1),
    ("T1 +C", SE_T1 | AGENT, Sequence.T1C, 0.9, 1),
    ("T1 C+ AX", SE_T1, Sequence.T1C, 0.9, 1),
    ("T1CE", SE_T1, Sequence.T1C, 0.9, 1),
    ("T1C_AX", SE_T1, Sequence.T1C, 0.9, 1),
    ("T1 GD", SE_T1, Sequence.T1C, 0.9, 1),
    ("MPRAGE", MPRAGE, Sequence.T1, 0.9, 1),
    ("MPRAGE post", MPRAGE, Sequence.T1C, 0.9, 1),
    ("Sag 3D BRAVO", BRAVO, Sequence.T1, 0.9, 1),
    ("Sag 3D BRAVO", BRAVO | AGENT, Sequence.T1C, 0.75, 0.75),
    ("FSPGR 3D", {"ScanningSequence": "GR", "RepetitionTime": 7, "EchoTime": 2.8},
     Sequence.T1, 0.9, 1),
    ("t1_fl2d_tra", {"ScanningSequence": "GR", "RepetitionTime": 250, "EchoTime": 2.5,
                     "SequenceName": "*fl2d1"}, Sequence.T1, 0.9, 1),
    # Chinese descriptions.
    ("T1WI增强", SE_T1, Sequence.T1C, 0.9, 1),
    ("T1 增强 矢状位", SE_T1 | AGENT, Sequence.T1C, 0.9, 1),
    ("T1WI平扫", SE_T1, Sequence.T1, 0.9, 1),
    ("增强扫描 BRAVO", BRAVO, Sequence.T1C, 0.9, 1),
    ("T2WI压脂", SE_T2, Sequence.T2, 0.9, 1),
    ("T2水抑制", IR_FLAIR, Sequence.FLAIR, 0.9, 1),
    ("横断位定位像", {}, Sequence.OTHER, 0.7, 0.7),
    ("弥散加权 DWI", {"ScanningSequence": "EP", "RepetitionTime": 4000, "EchoTime": 80},
     Sequence.OTHER, 0.9, 1),
    ("T2WI", {}, Sequence.T2, 0.7, 0.7),
    # Sequences that are never annotated.
    ("SWI", {"ScanningSequence": "GR", "RepetitionTime": 28, "EchoTime": 20,
             "SequenceName": "*swi3d1r"}, Sequence.OTHER, 0.9, 1),
    ("ADC", {"ImageType": ["DERIVED", "PRIMARY", "ADC"]}, Sequence.OTHER, 0.9, 1),
    ("DTI 30 dir", {"DiffusionBValue": [0, 1000]}, Sequence.OTHER, 0.9, 1),
    ("pCASL", {}, Sequence.OTHER, 0.7, 0.7),
    ("localizer", {"ImageType": "ORIGINAL\\PRIMARY\\LOCALIZER"}, Sequence.OTHER, 0.9, 1),
    ("T2* hemo", {"ScanningSequence": "GR", "RepetitionTime": 600, "EchoTime": 20},
     Sequence.OTHER, 0.9, 1),
    # Physics alone.
    ("", IR_FLAIR, Sequence.FLAIR, 0.6, 0.6),
    ("", SE_T2, Sequence.T2, 0.6, 0.6),
    ("", {"ScanningSequence": "GR", "RepetitionTime": 8, "EchoTime": 3}, Sequence.T1, 0.6, 0.6),
    ("", SE_T1 | AGENT, Sequence.T1C, 0.6, 0.6),
    ("", {"AcquisitionContrast": "FLUID_ATTENUATED"}, Sequence.FLAIR, 0.6, 0.6),
    ("", {"ScanningSequence": "SE\\IR", "RepetitionTime": 5000, "EchoTime": 30,
          "InversionTime": 150}, Sequence.OTHER, 0.6, 0.6),
    ("", {"ScanningSequence": "SE", "RepetitionTime": 3000, "EchoTime": 20}, Sequence.OTHER,
     0.6, 0.6),
    ("FLASH 2D", {"ScanningSequence": "GR", "RepetitionTime": 250, "EchoTime": 2.5},
     Sequence.T1, 0.6, 0.6),
    # Description alone.
    ("T1C", {}, Sequence.T1C, 0.7, 0.7),
    ("AX POST GAD", {}, Sequence.T1C, 0.6, 0.6),
    ("T1_AX", {"ContrastBolusAgent": "NONE"}, Sequence.T1, 0.7, 0.7),
    ("FLAIR +C", IR_FLAIR | AGENT, Sequence.FLAIR, 0.9, 1),
    # Nothing to go on.
    ("", {}, Sequence.OTHER, 0.1, 0.1),
    ("research 7", {"ScanningSequence": "SE", "RepetitionTime": 1500, "EchoTime": 50},
     Sequence.OTHER, 0.1, 0.1),
]  # fmt: skip


@pytest.mark.parametrize(("description", "fields", "expected", "low", "high"), HEADER_CASES)
def test_header_case_is_recognized(
    description: str, fields: dict[str, Any], expected: Sequence, low: float, high: float
) -> None:
    result = recognize_dicom({"Modality": "MR", "SeriesDescription": description, **fields})

    assert result.sequence is expected
    assert low <= result.confidence <= high
    json.dumps(result.as_dict(), ensure_ascii=False)


def test_description_and_physics_conflict_lowers_confidence() -> None:
    result = recognize_dicom({"SeriesDescription": "AX T2", **IR_FLAIR})

    assert result.confidence < 0.5
    conflict = [item for item in result.evidence if item["code"] == "conflict"]
    assert conflict == [{"code": "conflict", "value": {"description": "T2", "physics": "FLAIR"}}]


def test_plain_scan_with_contrast_agent_is_a_conflict() -> None:
    result = recognize_dicom({"SeriesDescription": "T1 平扫", **SE_T1, **AGENT})

    assert result.sequence is Sequence.T1
    assert result.confidence <= 0.5
    assert "contrast_conflict" in codes(result.evidence)


def test_epi_flair_description_conflicts_with_physics() -> None:
    fields = {"SeriesDescription": "FLAIR", "ScanningSequence": "EP", "RepetitionTime": 9000}
    result = recognize_dicom(fields)

    assert result.confidence < 0.5
    assert "conflict" in codes(result.evidence)


def test_four_d_series_is_other_whatever_the_description() -> None:
    result = recognize_dicom({"SeriesDescription": "T1 dynamic", "NumberOfTemporalPositions": 40})

    assert result.sequence is Sequence.OTHER
    assert result.confidence == 0.8


def test_volume_count_marks_a_four_d_series() -> None:
    result = recognize_dicom({"SeriesDescription": "T2", **SE_T2, "volume_count": 3})

    assert result.sequence is Sequence.OTHER


def test_contrast_agent_value_is_not_copied_into_evidence() -> None:
    result = recognize_dicom({"SeriesDescription": "T1", **SE_T1, **AGENT})

    assert {"code": "contrast_agent_tag", "value": "present"} in result.evidence
    assert "Gadobutrol" not in json.dumps(result.as_dict())


# --- file names --------------------------------------------------------------------------------

# Every NIfTI file in the reference data, by path relative to it, and the expected recognition.
REAL_NAMES = {
    "brats-like/BraTS-GLI-00001-000/BraTS-GLI-00001-000-t1c.nii.gz": Sequence.T1C,
    "brats-like/BraTS-GLI-00001-000/BraTS-GLI-00001-000-t1n.nii.gz": Sequence.T1,
    "brats-like/BraTS-GLI-00001-000/BraTS-GLI-00001-000-t2f.nii.gz": Sequence.FLAIR,
    "brats-like/BraTS-GLI-00001-000/BraTS-GLI-00001-000-t2w.nii.gz": Sequence.T2,
    "brats-like/BraTS-METS-sample-AURORA/flair.nii.gz": Sequence.FLAIR,
    "brats-like/BraTS-METS-sample-AURORA/t1.nii.gz": Sequence.T1,
    "brats-like/BraTS-METS-sample-AURORA/t1c.nii.gz": Sequence.T1C,
    "brats-like/BraTS-METS-sample-AURORA/t2.nii.gz": Sequence.T2,
    "brats-like/BraTS2015_brats_2013_pat0005_1/Flair_subtrMeanDivStd.nii.gz": Sequence.FLAIR,
    "brats-like/BraTS2015_brats_2013_pat0005_1/OTMultiClass.nii.gz": Sequence.LABEL,
    "brats-like/BraTS2015_brats_2013_pat0005_1/T1c_subtrMeanDivStd.nii.gz": Sequence.T1C,
    "brats-like/BraTS2015_brats_2013_pat0005_1/brainmask.nii.gz": Sequence.LABEL,
    "brats-like/TCGA-FG-6692/MRHR_FLAIR_AX_OtherEXampleTCIA_TCGA-FG-6692_Si_TCGA-FG-6692_MRHR_FLAIR_AX_SE_IR_5_tir2d1_21_fla.nii.gz": Sequence.FLAIR,  # noqa: E501
    "brats-like/TCGA-FG-6692/MRHR_T1_AX_POST_GAD_OtherEXampleTCIA_TCGA-FG-6692_Si_TCGA-FG-6692_MRHR_T1_AX_POST_GAD_SE_13_se2d1r_t1c.nii.gz": Sequence.T1C,  # noqa: E501
    "brats-like/TCGA-FG-6692/MRHR_T2_AX_OtherEXampleTCIA_TCGA-FG-6692_Si_TCGA-FG-6692_MRHR_T2_AX_SE_2_tse2d1_11_t2.nii.gz": Sequence.T2,  # noqa: E501
    "brats-like/TCGA-FG-6692/T1_AX_OtherEXampleTCIA_TCGA-FG-6692_Si_TCGA-FG-6692_T1_AX_SE_10_se2d1_t1.nii.gz": Sequence.T1,  # noqa: E501
    # Fusion outputs are label maps, but their names and folder contain no label keyword.
    "brats-like/TCGA-FG-6692/OtherEXampleFromTCIA_brainles/fusion/mav.nii.gz": Sequence.OTHER,
    "brats-like/TCGA-FG-6692/OtherEXampleFromTCIA_brainles/fusion/simple.nii.gz": Sequence.OTHER,
    "brats-like/TCGA-FG-6692/OtherEXampleFromTCIA_brainles/raw_bet/OtherEXampleFromTCIA_fla_bet.nii.gz": Sequence.FLAIR,  # noqa: E501
    "brats-like/TCGA-FG-6692/OtherEXampleFromTCIA_brainles/raw_bet/OtherEXampleFromTCIA_t1_bet.nii.gz": Sequence.T1,  # noqa: E501
    "brats-like/TCGA-FG-6692/OtherEXampleFromTCIA_brainles/raw_bet/OtherEXampleFromTCIA_t1c_bet.nii.gz": Sequence.T1C,  # noqa: E501
    "brats-like/TCGA-FG-6692/OtherEXampleFromTCIA_brainles/raw_bet/OtherEXampleFromTCIA_t2_bet.nii.gz": Sequence.T2,  # noqa: E501
    **{
        f"brats-like/TCGA-FG-6692/OtherEXampleFromTCIA_brainles/segmentation/{name}.nii.gz": Sequence.LABEL  # noqa: E501
        for name in ["hnfnetv1-20", "isen-20", "sanet0-20", "scan-20", "yixinmpl-20"]
    },
    "dicom/ge/nih_discovery_mr750_epi_series4/reference_nifti/DCM2NIIX_regression_test_4.nii": Sequence.OTHER,  # noqa: E501
    "dicom/philips/ingenia_elition_3dpcasl_series1901/reference_nifti/1901_WIP_3DpCASL_cl.nii.gz": Sequence.OTHER,  # noqa: E501
    "dicom/philips/ingenia_elition_3dpcasl_series1901/reference_nifti/1901_WIP_3DpCASL_enh_real.nii.gz": Sequence.OTHER,  # noqa: E501
    "dicom/siemens/nih_skyra_epi_mosaic_series3/reference_nifti/EPI_PE=AP_3.nii": Sequence.OTHER,
    **{
        f"dicom/siemens/trio_transfer_syntaxes/reference_nifti/{n}.nii": Sequence.OTHER
        for n in range(1, 10)
    },
    "dicom/uih/umr770_dti_tra_dir16_AP_series9/reference_nifti/dti_tra_dir16_AP_9_134431.nii": Sequence.OTHER,  # noqa: E501
    "templates/mni152_2009a_sym/mni_icbm152_t1_tal_nlin_sym_09a_converted.nii.gz": Sequence.T1,
}


def test_every_reference_nifti_name_is_in_the_table(data_dir: Path) -> None:
    found = {
        path.relative_to(data_dir).as_posix()
        for path in data_dir.rglob("*")
        if path.name.endswith((".nii", ".nii.gz"))
    }
    assert found == set(REAL_NAMES)


@pytest.mark.parametrize(("name", "expected"), sorted(REAL_NAMES.items()))
def test_reference_nifti_name_is_recognized(name: str, expected: Sequence) -> None:
    result = recognize_filename(name)

    assert result.sequence is expected
    assert result.is_label_map is (expected is Sequence.LABEL)


NAME_CASES = [
    ("BraTS2021_00000_t1.nii.gz", Sequence.T1),
    ("BraTS2021_00000_t1ce.nii.gz", Sequence.T1C),
    ("BraTS2021_00000_seg.nii.gz", Sequence.LABEL),
    ("case_T1c.nii", Sequence.T1C),
    ("T1gd.nii.gz", Sequence.T1C),
    ("T1_post.nii.gz", Sequence.T1C),
    ("MRHR_T1_AX_POST_GAD.nii.gz", Sequence.T1C),
    ("T1_pre.nii.gz", Sequence.T1),
    ("t2w.nii.gz", Sequence.T2),
    ("T2.nii.gz", Sequence.T2),
    ("t2f.nii.gz", Sequence.FLAIR),
    ("patient_fla.nii.gz", Sequence.FLAIR),
    ("FLAIR.nii.gz", Sequence.FLAIR),
    ("T1Flair.nii.gz", Sequence.T1),
    ("sub-01_T1w.nii.gz", Sequence.T1),
    ("sub-01_ce-gadolinium_T1w.nii.gz", Sequence.T1C),
    ("sub-01_FLAIR.nii.gz", Sequence.FLAIR),
    ("sub-01_dwi.nii.gz", Sequence.OTHER),
    ("t1c_mask.nii.gz", Sequence.LABEL),
    ("tumor_label.nii.gz", Sequence.LABEL),
    ("case\\t1c.nii.gz", Sequence.T1C),
    ("T1 增强.nii.gz", Sequence.T1C),
]


@pytest.mark.parametrize(("name", "expected"), NAME_CASES)
def test_file_name_is_recognized(name: str, expected: Sequence) -> None:
    assert recognize_filename(name).sequence is expected


def test_flash_is_not_flair() -> None:
    result = recognize_filename("fl3d_flash_vol.nii.gz")

    assert result.sequence is Sequence.OTHER
    assert result.confidence == 0.1


def test_t1c_is_not_read_as_t1() -> None:
    assert tokenize("BraTS-GLI-00001-000-t1c") == ["bra", "ts", "gli", "00001", "000", "t1c"]


def test_camel_case_names_are_split() -> None:
    assert tokenize("OTMultiClass") == ["otmulticlass"]
    assert tokenize("Flair_subtrMeanDivStd") == ["flair", "subtr", "mean", "div", "std"]
    assert tokenize("3DpCASL") == ["pcasl"]
    assert tokenize("T1Flair") == ["t1", "flair"]
    assert tokenize("t2_tirm_tra_dark-fluid")[-1] == "darkfluid"


def test_folder_keyword_used_as_fallback() -> None:
    result = recognize_filename("study/t1c/image.nii.gz")

    assert result.sequence is Sequence.T1C
    assert result.confidence == 0.5
    assert result.evidence[0]["code"] == "folder_keyword"


def test_file_name_without_keywords_has_low_confidence() -> None:
    result = recognize_filename("image_0001.nii.gz")

    assert result.sequence is Sequence.OTHER
    assert result.confidence == 0.1
    assert "no_evidence" in codes(result.evidence)


def test_brats_convention_names_are_trusted_more() -> None:
    assert recognize_filename("BraTS-GLI-00001-000-t2f.nii.gz").confidence == 0.85
    assert recognize_filename("flair.nii.gz").confidence == 0.7


def test_header_text_outside_defined_terms_is_dropped() -> None:
    fields = {
        "Modality": "Testperson",
        "ScanningSequence": "SE\\Testperson",
        "AcquisitionContrast": "Testperson",
        "SequenceName": "Testperson",
        **SE_T2,
    }
    result = recognize_dicom({**fields, "Modality": "MR"})
    other = recognize_dicom(fields)

    assert result.sequence is Sequence.T2
    assert "testperson" not in json.dumps(result.as_dict()).lower()
    assert {"code": "modality", "value": "not MR"} in other.evidence
    assert "testperson" not in json.dumps(other.as_dict()).lower()


def test_byte_string_values_are_decoded() -> None:
    fields = {"ScanningSequence": b"SE\\IR", "RepetitionTime": b"9000", "EchoTime": b"120"}
    result = recognize_dicom({**fields, "InversionTime": b"2500"})

    assert result.sequence is Sequence.FLAIR
    assert {"code": "scanning_sequence", "value": ["IR", "SE"]} in result.evidence
