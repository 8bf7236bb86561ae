"""Image quality grades gate annotation, submission and export."""

import numpy as np
import pytest

from annotation_platform.studies.models import Series
from tests.annotations.conftest import save_mask

pytestmark = pytest.mark.django_db


@pytest.fixture
def annotator_client(client, annotator):
    client.force_login(annotator)
    return client


def _grade(client, case, series, grade, reasons=()):
    return client.put(
        f"/api/v1/cases/{case.pk}/series/{series.pk}/quality/",
        {"grade": grade, "reasons": list(reasons)},
        content_type="application/json",
    )


def test_low_grade_needs_a_reason(ready_case, annotator_client):
    flair = ready_case.study.series.get(sequence="FLAIR")

    refused = _grade(annotator_client, ready_case, flair, 1)
    accepted = _grade(annotator_client, ready_case, flair, 1, ["motion"])

    assert refused.json()["code"] == "QUALITY_REASON_REQUIRED"
    assert accepted.status_code == 200
    assert Series.objects.get(pk=flair.pk).quality_reasons == ["motion"]


def test_unknown_grade_or_reason_is_refused(ready_case, annotator_client):
    flair = ready_case.study.series.get(sequence="FLAIR")

    assert _grade(annotator_client, ready_case, flair, 5).json()["code"] == "QUALITY_GRADE_UNKNOWN"
    bad_reason = _grade(annotator_client, ready_case, flair, 2, ["blurry"])
    assert bad_reason.json()["code"] == "QUALITY_REASON_UNKNOWN"


def test_unusable_images_block_annotation_with_the_reason(ready_case, annotator_client):
    flair = ready_case.study.series.get(sequence="FLAIR")
    _grade(annotator_client, ready_case, flair, 1, ["motion"])

    response = save_mask(annotator_client, ready_case, np.zeros((32, 32, 16), np.uint8))

    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "QUALITY_BELOW_MINIMUM"
    assert "FLAIR: 1 (motion)" in body["detail"]


def test_ungraded_images_block_submission(ready_case, annotator_client, cases_dir):
    from tests.annotations.conftest import brats2023_to_bitmask, label_map

    Series.objects.filter(study=ready_case.study, sequence="T2").update(quality_grade=None)
    mask = brats2023_to_bitmask(label_map(cases_dir, "mask_v1_base"))
    version = save_mask(annotator_client, ready_case, mask).json()
    checklist = {
        "no_ageing_wmh_as_oedema": True,
        "all_lesions_annotated": True,
        "image_quality_acceptable": True,
        "tumour_in_scope": True,
    }

    response = annotator_client.post(
        f"/api/v1/cases/{ready_case.pk}/submit/",
        {"version": version["id"], "checklist": checklist},
        content_type="application/json",
    )

    assert response.json()["code"] == "QUALITY_BELOW_MINIMUM"
    assert "T2: ?" in response.json()["detail"]


def test_admin_grades_from_the_study_page(ready_case, admin_client):
    t2 = ready_case.study.series.get(sequence="T2")

    response = admin_client.post(
        f"/series/{t2.pk}/quality/", {"grade": "1", "reasons": ["coverage"]}
    )

    assert response.status_code == 302
    t2.refresh_from_db()
    assert (t2.quality_grade, t2.quality_reasons) == (1, ["coverage"])
    page = admin_client.get(f"/studies/{ready_case.study_id}/")
    assert b'name="grade"' in page.content


@pytest.mark.parametrize("state", ["submitted", "in_review", "approved"])
def test_annotator_cannot_regrade_after_submission(ready_case, annotator_client, client, state):
    """Grades are part of what the reviewer checked, so only an admin changes them afterwards."""
    from annotation_platform.accounts.models import User

    flair = ready_case.study.series.get(sequence="FLAIR")
    ready_case.state = state
    ready_case.save()

    refused = _grade(annotator_client, ready_case, flair, 1, ["motion"])

    assert refused.status_code == 403
    assert refused.json()["code"] == "QUALITY_GRADE_LOCKED"
    assert Series.objects.get(pk=flair.pk).quality_grade == 3
    client.force_login(User.objects.get(username="ada"))
    assert _grade(client, ready_case, flair, 1, ["motion"]).status_code == 200


def test_viewer_offers_grading_only_while_annotating(ready_case, annotator_client):
    import json
    import re

    def can_grade() -> bool:
        page = annotator_client.get(f"/cases/{ready_case.pk}/annotate/").content.decode()
        config = re.search(r'id="viewer-config" type="application/json">(.*?)</script>', page, re.S)
        return json.loads(config.group(1))["workflow"]["can_grade"]

    assert can_grade() is True
    ready_case.state = "approved"
    ready_case.save()
    assert can_grade() is False
