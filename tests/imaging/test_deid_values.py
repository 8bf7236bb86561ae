"""Date shifting, UID replacement, descriptor cleaning and context validation."""

import pytest

from annotation_platform.errors import ActionableError
from annotation_platform.imaging.deid import DeidContext, is_well_known_uid, uid_replacer
from annotation_platform.imaging.deid.dates import (
    MalformedDateError,
    shift_da_value,
    shift_dt_value,
)
from annotation_platform.imaging.deid.descriptors import (
    IdentifierSet,
    build_identifier_set,
    clean_descriptor,
)

SECRET = b"values-test-secret-01234"


@pytest.mark.parametrize(
    ("value", "days", "expected"),
    [
        ("20210304", -10, "20210222"),
        ("20200228", 1, "20200229"),
        ("20210304-20210310", 5, "20210309-20210315"),
        ("-20210304", 1, "-20210305"),
        ("20210304-", 1, "20210305-"),
        ("20210304\\19650412", 1, "20210305\\19650413"),
        ("2021.03.04", 0, "20210304"),
        ("", 5, ""),
    ],
)
def test_da_shift(value: str, days: int, expected: str) -> None:
    assert shift_da_value(value, days) == expected


@pytest.mark.parametrize(
    ("value", "days", "expected"),
    [
        ("20210304120000.123456", -4, "20210228120000.123456"),
        ("20210304120000-0500", 1, "20210305120000-0500"),
        ("20210304120000+0100", 1, "20210305120000+0100"),
        ("202103", -4, "202102"),
        ("2021", -1, "2020"),
        ("20210304-20210305", 1, "20210305-20210306"),
    ],
)
def test_dt_shift_keeps_time_and_offset(value: str, days: int, expected: str) -> None:
    assert shift_dt_value(value, days) == expected


@pytest.mark.parametrize("value", ["20211304", "20210231", "abc", "2021", "-", "1965041"])
def test_malformed_da_raises(value: str) -> None:
    with pytest.raises(MalformedDateError):
        shift_da_value(value, 1)


def test_uid_replacement_is_deterministic_per_secret() -> None:
    replace = uid_replacer(SECRET)
    first = replace("1.2.826.0.1.3680043.8.498.1")
    assert first == uid_replacer(SECRET)("1.2.826.0.1.3680043.8.498.1")
    assert first != uid_replacer(SECRET + b"x")("1.2.826.0.1.3680043.8.498.1")
    assert first != replace("1.2.826.0.1.3680043.8.498.2")
    assert first.startswith("2.25.")
    assert len(first) <= 64


def test_well_known_uids_are_kept() -> None:
    replace = uid_replacer(SECRET)
    for uid in ("1.2.840.10008.5.1.4.1.1.4", "1.2.840.10008.1.2.1", "1.2.840.10008.2.16.4"):
        assert is_well_known_uid(uid)
        assert replace(uid) == uid


def test_short_secret_is_rejected() -> None:
    with pytest.raises(ActionableError) as raised:
        uid_replacer(b"short")
    assert raised.value.code == "DEID_SECRET_TOO_SHORT"


@pytest.mark.parametrize("pseudonym", ["", "Name^Given", "a" * 65, "GLI\\1", "-GLI"])
def test_invalid_pseudonym_is_rejected(pseudonym: str) -> None:
    with pytest.raises(ActionableError) as raised:
        DeidContext(SECRET, pseudonym, 0)
    assert raised.value.code == "DEID_PSEUDONYM_INVALID"


def test_invalid_shift_and_edition_are_rejected() -> None:
    with pytest.raises(ActionableError) as shift:
        DeidContext(SECRET, "GLI0001", 40_000)
    assert shift.value.code == "DEID_DATE_SHIFT_INVALID"
    with pytest.raises(ActionableError) as edition:
        DeidContext(SECRET, "GLI0001", 0, profile_edition="2019a")
    assert edition.value.code == "DEID_PROFILE_EDITION_UNKNOWN"


@pytest.fixture(scope="module")
def identifiers() -> IdentifierSet:
    return build_identifier_set(
        [
            ("Testperson^Alfa", "PN"),
            ("QA-77-1234", "LO"),
            ("19650412", "DA"),
            ("Testklinik Alfa Nord", "LO"),
            ("+00 555 0100", "SH"),
            ("测试^零一", "PN"),
            ("Li^Wu", "PN"),
        ]
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("T1_AX Testperson", "T1_AX"),
        ("T1_AX_TESTPERSON", "T1_AX"),
        ("T1 AX research QA-77-1234", "T1 AX research"),
        ("FLAIR 12.04.1965", "FLAIR"),
        ("FLAIR 1965-04-12", "FLAIR"),
        ("FLAIR 2021-03-04", "FLAIR"),
        ("T2 call +00 555 0100", "T2 call"),
        ("T2 +49 (30) 1234567", "T2"),
        ("T1 测试", "T1"),
        ("Li T1 li2", "T1 li2"),
        ("DWI b1000 ACC9988712", "DWI b1000"),
        ("ADNI_Sag3D MPRAGE", "ADNI_Sag3D MPRAGE"),
        ("ep2d_diff_3scan_trace_p2", "ep2d_diff_3scan_trace_p2"),
        ("Testklinik", ""),
    ],
)
def test_descriptor_cleaning(identifiers: IdentifierSet, text: str, expected: str) -> None:
    assert clean_descriptor(text, identifiers)[0] == expected
