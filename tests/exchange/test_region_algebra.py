"""The protocol's region algebra: expressions over bits and the bits a label implies."""

import copy

import numpy as np
import pytest

from annotation_platform.errors import ActionableError
from annotation_platform.exchange.regions import ProtocolRegions, cns_regions
from annotation_platform.protocols.definition import builtin_definition_paths, load_definition
from tests.exchange.builders import ET, TC, WT


def test_cns_regions_have_protocol_bits_and_nesting():
    regions = cns_regions()

    assert regions.bits == {"WT": WT, "TC": TC, "ET": ET}
    assert regions.within == {"TC": "WT", "ET": "TC"}
    assert regions.keys == ["WT", "TC", "ET", "NET"]
    assert regions.sequence_of("WT") == "FLAIR"
    assert regions.sequence_of("NET") == "T1c"


@pytest.mark.parametrize(
    ("expression", "selected"),
    [
        ({"op": "region", "of": ["TC"]}, [TC, WT | TC, TC | ET, WT | TC | ET]),
        ({"op": "difference", "of": ["TC", "ET"]}, [TC, WT | TC]),
        ({"op": "region", "of": ["NET"]}, [TC, WT | TC]),
        ({"op": "union", "of": ["TC", "ET"]}, [TC, ET, WT | TC, WT | ET, TC | ET, WT | TC | ET]),
        ({"op": "intersection", "of": ["WT", "ET"]}, [WT | ET, WT | TC | ET]),
    ],
)
def test_expression_selects_voxel_values(expression, selected):
    values = np.arange(8, dtype=np.uint8)

    chosen = values[cns_regions().select(values, expression)]

    assert sorted(chosen.tolist()) == sorted(selected)


@pytest.mark.parametrize(
    ("expression", "bits"),
    [
        ({"op": "difference", "of": ["TC", "ET"]}, WT | TC),
        ({"op": "difference", "of": ["WT", "TC"]}, WT),
        ({"op": "region", "of": ["ET"]}, WT | TC | ET),
        ({"op": "region", "of": ["NET"]}, WT | TC),
        ({"op": "intersection", "of": ["WT", "TC"]}, WT | TC),
    ],
)
def test_label_implies_containing_regions(expression, bits):
    assert cns_regions().implied_bits(expression) == bits


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        ({"op": "union", "of": ["TC", "ET"]}, "union"),
        ({"op": "difference", "of": ["ET", "TC"]}, "empty"),
        ({"op": "region", "of": ["RC"]}, "region"),
        ({"op": "difference", "of": ["TC"]}, "operation"),
    ],
)
def test_unimportable_expression_is_rejected(expression, reason):
    with pytest.raises(ActionableError) as raised:
        cns_regions().implied_bits(expression)
    assert raised.value.code == "LABEL_EXPRESSION_INVALID"
    assert raised.value.params["reason"] == reason


def test_derived_regions_in_a_loop_are_rejected():
    path = next(p for p in builtin_definition_paths() if p.name.startswith("cns"))
    definition = copy.deepcopy(load_definition(path))
    definition["regions"].append(
        {
            "key": "LOOP",
            "name": {"en": "x", "zh-hans": "x"},
            "derived": {"op": "region", "of": ["LOOP"]},
        }
    )
    regions = ProtocolRegions.from_definition(definition)

    with pytest.raises(ActionableError) as raised:
        regions.value_table({"op": "region", "of": ["LOOP"]})
    assert raised.value.code == "LABEL_EXPRESSION_INVALID"
    assert raised.value.params["reason"] == "loop"


def test_regions_of_bits_names_protocol_order():
    assert cns_regions().regions_of_bits(ET | WT) == ("WT", "ET")
