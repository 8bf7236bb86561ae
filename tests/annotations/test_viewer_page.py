"""The annotation page hands the viewer its configuration: grid, volumes, regions, workflow."""

import json
import re

import pytest
from django.test import Client

from tests.annotations.conftest import brats2023_to_bitmask, label_map, save_mask

pytestmark = pytest.mark.django_db


def _config(client, case) -> dict:
    page = client.get(f"/cases/{case.pk}/annotate/")
    assert page.status_code == 200
    match = re.search(
        r'<script id="viewer-config" type="application/json">(.*?)</script>',
        page.content.decode(),
        re.S,
    )
    return json.loads(match.group(1))


def test_annotator_gets_the_regions_and_may_edit(ready_case, client, annotator):
    client.force_login(annotator)

    config = _config(client, ready_case)

    assert [s["key"] for s in config["sequences"]] == ["FLAIR", "T2", "T1c", "T1"]
    regions = {r["key"]: r for r in config["regions"]}
    assert (regions["WT"]["drawn_on"], regions["WT"]["bit"]) == ("FLAIR", 1)
    assert "derived" in regions["NET"]
    assert config["case"]["read_only"] is False
    assert config["workflow"]["mode"] == "annotate"
    assert config["workflow"]["quality"]["minimum"] == 2
    assert len(config["workflow"]["checklist"]) == 4


def test_reviewer_gets_review_mode_after_submission(
    ready_case, client, annotator, reviewer, cases_dir
):
    client.force_login(annotator)
    version = save_mask(
        client, ready_case, brats2023_to_bitmask(label_map(cases_dir, "mask_v1_base"))
    ).json()
    checklist = {
        item: True
        for item in (
            "no_ageing_wmh_as_oedema",
            "all_lesions_annotated",
            "image_quality_acceptable",
            "tumour_in_scope",
        )
    }
    client.post(
        f"/api/v1/cases/{ready_case.pk}/submit/",
        {"version": version["id"], "checklist": checklist},
        content_type="application/json",
    )
    reviewer_client = Client()
    reviewer_client.force_login(reviewer)

    config = _config(reviewer_client, ready_case)

    assert config["workflow"]["mode"] == "review"
    assert config["workflow"]["submitted_version"]["id"] == version["id"]
    assert config["case"]["read_only"] is True
    assert config["workflow"]["review_refusal"] is None


def test_waiting_case_explains_refused_review(ready_case, client, reviewer, project):
    """A senior reviewer who annotated the case gets the reason the review is refused."""
    from annotation_platform.projects.models import Membership

    Membership.objects.create(project=project, user=reviewer, role=Membership.Role.ANNOTATOR)
    ready_case.assignee = reviewer
    ready_case.state = "submitted"
    ready_case.save()
    client.force_login(reviewer)

    refusal = _config(client, ready_case)["workflow"]["review_refusal"]

    assert refusal["code"] == "REVIEW_OWN_WORK"
    assert "so you cannot review it" in refusal["detail"]


def test_annotator_waiting_gets_no_refusal(ready_case, client, annotator):
    ready_case.state = "submitted"
    ready_case.save()
    client.force_login(annotator)

    assert _config(client, ready_case)["workflow"]["review_refusal"] is None
