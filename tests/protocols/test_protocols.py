"""Label protocols are data: the CNS tumour protocol ships built in, another loads without a code
change, and a published version never changes."""

import copy
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from annotation_platform.errors import ActionableError, ConflictError
from annotation_platform.protocols.definition import builtin_definition_paths, load_definition
from annotation_platform.protocols.models import ProtocolVersion
from annotation_platform.protocols.services import protocol_publish

LUNG_NODULE_PROTOCOL = {
    "format": 1,
    "key": "lung-nodule",
    "version": "0.1.0",
    "name": {"en": "Lung nodules", "zh-hans": "肺结节"},
    "sequences": [{"key": "CT", "name": {"en": "CT", "zh-hans": "CT"}}],
    "required_sequences": ["CT"],
    "reference_sequence": "CT",
    "regions": [
        {
            "key": "NOD",
            "name": {"en": "Nodule", "zh-hans": "结节"},
            "color": "#00FF00",
            "drawn_on": "CT",
            "bit": 1,
            "required": True,
        },
        {
            "key": "SOLID",
            "name": {"en": "Solid part", "zh-hans": "实性成分"},
            "color": "#FF8800",
            "drawn_on": "CT",
            "bit": 2,
            "within": "NOD",
        },
    ],
    "export_conventions": [
        {
            "key": "binary",
            "name": {"en": "Binary", "zh-hans": "二值"},
            "labels": [{"value": 1, "name": "NOD", "expression": {"op": "region", "of": ["NOD"]}}],
        }
    ],
    "experience_years": {"annotator": 3, "reviewer": 8},
    "checklist": [
        {
            "key": "all_nodules",
            "text": {"en": "Every nodule is marked.", "zh-hans": "已标注所有结节。"},
        }
    ],
    "scope_exclusions": [],
    "quality_grades": [
        {"value": 1, "name": {"en": "Bad", "zh-hans": "差"}},
        {"value": 2, "name": {"en": "Good", "zh-hans": "好"}},
    ],
    "minimum_quality_grade": 2,
    "export_naming": "{patient_id}_{sequence}_{label}",
}


def test_cns_protocol_holds_the_consensus_regions():
    definition = load_definition(builtin_definition_paths()[0])
    regions = {region["key"]: region for region in definition["regions"]}

    assert (regions["WT"]["drawn_on"], regions["WT"]["color"]) == ("FLAIR", "#FFFF00")
    assert (regions["TC"]["drawn_on"], regions["TC"]["within"]) == ("T2", "WT")
    assert (regions["ET"]["drawn_on"], regions["ET"]["within"]) == ("T1c", "TC")
    assert regions["NET"]["derived"] == {"op": "difference", "of": ["TC", "ET"]}
    assert definition["experience_years"] == {"annotator": 5, "reviewer": 10}
    assert definition["minimum_quality_grade"] == 2
    assert definition["export_naming"] == "{patient_id}_{sequence}_{label}"
    assert {e["key"] for e in definition["scope_exclusions"]} == {
        "sellar",
        "pineal",
        "cerebellopontine_angle",
    }
    conventions = {
        c["key"]: {label["name"]: label["value"] for label in c["labels"]}
        for c in definition["export_conventions"]
    }
    assert conventions["brats-2017-2021"] == {"NCR": 1, "ED": 2, "ET": 4}
    assert conventions["brats-2023"] == {"NCR": 1, "ED": 2, "ET": 3}
    for region in definition["regions"]:
        assert region["name"]["zh-hans"] and region["name"]["en"]


@pytest.mark.django_db
def test_builtin_protocol_is_published_by_migrate(cns_protocol):
    assert cns_protocol.protocol.key == "cns-tumour"
    assert cns_protocol.version == "1.0.0"


@pytest.mark.django_db
def test_second_protocol_loads_from_a_file(tmp_path: Path):
    path = tmp_path / "lung.json"
    path.write_text(json.dumps(LUNG_NODULE_PROTOCOL, ensure_ascii=False), encoding="utf-8")

    call_command("load_protocol", str(path))

    version = ProtocolVersion.objects.get(protocol__key="lung-nodule")
    assert version.definition["regions"][0]["key"] == "NOD"


@pytest.mark.django_db
def test_publishing_the_same_version_twice_changes_nothing():
    first, created = protocol_publish(copy.deepcopy(LUNG_NODULE_PROTOCOL))
    again, created_again = protocol_publish(copy.deepcopy(LUNG_NODULE_PROTOCOL))

    assert created and not created_again
    assert first.pk == again.pk


@pytest.mark.django_db
def test_published_version_cannot_change():
    version, _ = protocol_publish(copy.deepcopy(LUNG_NODULE_PROTOCOL))
    changed = copy.deepcopy(LUNG_NODULE_PROTOCOL)
    changed["regions"][0]["color"] = "#FFFFFF"

    with pytest.raises(ConflictError) as raised:
        protocol_publish(changed)
    assert raised.value.code == "PROTOCOL_VERSION_IMMUTABLE"

    version.definition = changed
    version.checksum = "0" * 64
    with pytest.raises(ConflictError):
        version.save()
    assert ProtocolVersion.objects.get(pk=version.pk).definition["regions"][0]["color"] == "#00FF00"


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda d: d["regions"][0].update(drawn_on="MRI"), "regions/NOD"),
        (lambda d: d["regions"][1].update(bit=1), "regions/SOLID"),
        (lambda d: d["regions"][1].update(within="XYZ"), "regions/SOLID"),
        (lambda d: d.update(reference_sequence="PET"), "reference_sequence"),
        (lambda d: d.update(export_naming="{patient_name}"), "export_naming"),
        (lambda d: d.update(minimum_quality_grade=5), "minimum_quality_grade"),
        (lambda d: d["name"].pop("zh-hans"), "name"),
    ],
)
def test_inconsistent_protocol_is_rejected_with_the_place(change, where):
    from annotation_platform.protocols.definition import validate_definition

    definition = copy.deepcopy(LUNG_NODULE_PROTOCOL)
    change(definition)

    with pytest.raises(ActionableError) as raised:
        validate_definition(definition)
    assert raised.value.code == "PROTOCOL_INVALID"
    assert raised.value.params["where"].startswith(where)
