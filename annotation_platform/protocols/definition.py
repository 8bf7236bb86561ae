"""Reading and checking label protocol files. Pure: no Django models.

A protocol file is JSON in the format described by schema.json beside this module. Beyond the
schema, `validate_definition` checks that the parts refer to each other correctly: a region is
drawn on a sequence the protocol lists, a derived region names existing regions, bits are unique.
"""

import hashlib
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from annotation_platform.errors import ActionableError, gettext_noop

SCHEMA_PATH = Path(__file__).with_name("schema.json")
NAMING_PLACEHOLDERS = {"patient_id", "sequence", "label"}


@cache
def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def invalid(where: str, problem: str) -> ActionableError:
    return ActionableError(
        "PROTOCOL_INVALID",
        gettext_noop("The protocol definition is invalid at %(where)s: %(problem)s. Fix the file."),
        where=where,
        problem=problem,
    )


def load_definition(path: Path) -> dict[str, Any]:
    """Read and validate one protocol file."""
    try:
        definition = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ActionableError(
            "PROTOCOL_UNREADABLE",
            gettext_noop("The protocol file %(path)s cannot be read as UTF-8 JSON: %(error)s."),
            path=path.name,
            error=str(error),
        ) from None
    validate_definition(definition)
    return definition


def definition_checksum(definition: dict[str, Any]) -> str:
    canonical = json.dumps(definition, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def validate_definition(definition: dict[str, Any]) -> None:
    errors = sorted(_validator().iter_errors(definition), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        where = "/".join(str(part) for part in first.absolute_path) or "(top level)"
        raise invalid(where, first.message)
    _check_references(definition)


def _check_references(definition: dict[str, Any]) -> None:
    sequences = _unique_keys(definition["sequences"], "sequences")
    regions = _unique_keys(definition["regions"], "regions")
    for key in definition["required_sequences"] + definition.get("viewer_layout", []):
        if key not in sequences:
            raise invalid("required_sequences", f"unknown sequence {key!r}")
    if definition["reference_sequence"] not in sequences:
        raise invalid(
            "reference_sequence", f"unknown sequence {definition['reference_sequence']!r}"
        )
    _check_regions(definition["regions"], sequences, regions)
    lesion_region = definition.get("lesion_region")
    if lesion_region is not None and lesion_region not in regions:
        raise invalid("lesion_region", f"unknown region {lesion_region!r}")
    for convention in definition["export_conventions"]:
        values = [label["value"] for label in convention["labels"]]
        if len(values) != len(set(values)):
            raise invalid(f"export_conventions/{convention['key']}", "label values repeat")
        for label in convention["labels"]:
            _check_expression(
                label["expression"], regions, f"export_conventions/{convention['key']}"
            )
    grades = {grade["value"] for grade in definition["quality_grades"]}
    if definition["minimum_quality_grade"] not in grades:
        raise invalid("minimum_quality_grade", "not one of quality_grades")
    placeholders = set(re.findall(r"{(\w+)}", definition["export_naming"]))
    if not placeholders or not placeholders <= NAMING_PLACEHOLDERS:
        raise invalid("export_naming", "use only {patient_id}, {sequence} and {label}")


def _unique_keys(items: list[dict[str, Any]], where: str) -> set[str]:
    keys = [item["key"] for item in items]
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    if duplicates:
        raise invalid(where, f"keys repeat: {', '.join(duplicates)}")
    return set(keys)


def _check_regions(
    regions: list[dict[str, Any]], sequences: set[str], region_keys: set[str]
) -> None:
    bits: set[int] = set()
    for region in regions:
        where = f"regions/{region['key']}"
        if "derived" in region:
            if "drawn_on" in region or "bit" in region:
                raise invalid(where, "a derived region is computed, so it has no drawn_on or bit")
            _check_expression(region["derived"], region_keys, where)
            continue
        if "drawn_on" not in region or "bit" not in region:
            raise invalid(where, "a drawn region needs drawn_on and bit")
        if region["drawn_on"] not in sequences:
            raise invalid(where, f"drawn on unknown sequence {region['drawn_on']!r}")
        if region["bit"] in bits:
            raise invalid(where, f"bit {region['bit']} is used twice")
        bits.add(region["bit"])
        if "within" in region and region["within"] not in region_keys:
            raise invalid(where, f"within unknown region {region['within']!r}")


def _check_expression(expression: dict[str, Any], regions: set[str], where: str) -> None:
    unknown = [key for key in expression["of"] if key not in regions]
    if unknown:
        raise invalid(where, f"unknown regions {', '.join(unknown)}")
    if expression["op"] == "region" and len(expression["of"]) != 1:
        raise invalid(where, "'region' takes exactly one region")
    if expression["op"] == "difference" and len(expression["of"]) != 2:
        raise invalid(where, "'difference' takes exactly two regions")


def drawn_regions(definition: dict[str, Any]) -> list[dict[str, Any]]:
    return [region for region in definition["regions"] if "derived" not in region]


def builtin_definition_paths() -> list[Path]:
    return sorted((Path(__file__).parent / "definitions").glob("*.json"))
