"""Date shifting for the Retain Longitudinal Temporal Information with Modified Dates option.

Every date moves by the same whole number of days per patient, so the intervals between a
patient's studies stay true. Times of day stay as they are, because a shift by whole days does not
change them. A value that is not a valid date cannot be shifted and is cleared instead.
"""

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Final

# DA: YYYYMMDD; the ACR-NEMA form YYYY.MM.DD is accepted and written back as YYYYMMDD.
_DA_PATTERN: Final = re.compile(r"(\d{4})\.?(\d{2})\.?(\d{2})")
# DT: YYYY[MM[DD[HH[MM[SS[.F{1-6}]]]]]][&ZZXX]; only the date part moves.
_DT_PATTERN: Final = re.compile(r"(\d{4})(\d{2})?(\d{2})?(\d{0,6}(?:\.\d{1,6})?)([+-]\d{4})?")


_Shifter = Callable[[str, int], str]


class MalformedDateError(ValueError):
    """A DA or DT value that is not a valid date (the value is left out of the error)."""


def shift_da_value(value: str, days: int) -> str:
    """Shift a DA value, including multiple values and ranges, by `days`.

    Raises MalformedDateError when any part is not a valid date.
    """
    return "\\".join(_shift_range(part, days, _shift_da) for part in value.split("\\"))


def shift_dt_value(value: str, days: int) -> str:
    """Shift the date part of a DT value, including multiple values and ranges, by `days`.

    A value given only to the year or month keeps its precision: it is shifted as if it were the
    first day of that year or month. Raises MalformedDateError when any part is not valid.
    """
    return "\\".join(_shift_range(part, days, _shift_dt) for part in value.split("\\"))


def _shift_range(part: str, days: int, shift_one: _Shifter) -> str:
    part = part.strip(" \0")
    if not part:
        return ""
    if "-" in part and not _is_dt_with_negative_offset(part):
        start, _, end = part.partition("-")
        if not start and not end:
            raise MalformedDateError
        shifted_start = shift_one(start, days) if start else ""
        shifted_end = shift_one(end, days) if end else ""
        return f"{shifted_start}-{shifted_end}"
    return shift_one(part, days)


def _is_dt_with_negative_offset(part: str) -> bool:
    """Tell a DT with a negative UTC offset (20210304120000-0500) from a range (a-b)."""
    if part.count("-") != 1 or len(part) < 9 or part[-5] != "-" or not part[-4:].isdigit():
        return False
    hours, minutes = int(part[-4:-2]), int(part[-2:])
    return hours <= 14 and minutes < 60 and bool(_DT_PATTERN.fullmatch(part))


def _shift_da(value: str, days: int) -> str:
    match = _DA_PATTERN.fullmatch(value)
    if match is None:
        raise MalformedDateError
    shifted = _shifted_date(int(match[1]), int(match[2]), int(match[3]), days)
    return shifted.strftime("%Y%m%d")


def _shift_dt(value: str, days: int) -> str:
    match = _DT_PATTERN.fullmatch(value)
    if match is None:
        raise MalformedDateError
    year, month, day, rest, offset = match.groups()
    if month is None and rest:
        raise MalformedDateError
    shifted = _shifted_date(int(year), int(month or 1), int(day or 1), days)
    text = f"{shifted.year:04d}"
    if month is not None:
        text += f"{shifted.month:02d}"
    if day is not None:
        text += f"{shifted.day:02d}"
    return text + rest + (offset or "")


def _shifted_date(year: int, month: int, day: int, days: int) -> date:
    try:
        return date(year, month, day) + timedelta(days=days)
    except (ValueError, OverflowError) as exc:
        raise MalformedDateError from exc
