"""Messages of the workflow's refusals name the real action and state."""

import pytest

from annotation_platform.errors import ActionableError
from annotation_platform.review.services import case_exclude
from tests.exports.helpers import CHECKLIST

pytestmark = pytest.mark.django_db


def test_submit_before_any_save(client, ready_case, annotator):
    client.force_login(annotator)

    response = client.post(
        f"/api/v1/cases/{ready_case.pk}/submit/",
        {"version": 1, "checklist": CHECKLIST},
        content_type="application/json",
    )

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "VERSION_NOT_CURRENT"
    assert "has no saved version yet" in body["detail"]
    assert "the current is 0" not in body["detail"]


def test_exclude_by_other_annotator_names_exclusion(ready_case, second_annotator):
    with pytest.raises(ActionableError) as raised:
        case_exclude(case=ready_case, user=second_annotator, reason="sellar")

    assert raised.value.code == "CASE_NOT_ASSIGNED_TO_YOU"
    assert "cannot exclude it" in raised.value.message


def test_people_list_refusal_names_no_project(client, annotator):
    client.force_login(annotator)

    response = client.get("/api/v1/people/")

    assert response.status_code == 403
    detail = response.json()["detail"]
    assert "project -" not in detail
    assert "Only project admins can list people" in detail


def test_own_experience_change_says_why(client, annotator):
    client.force_login(annotator)

    response = client.put(
        f"/api/v1/people/{annotator.pk}/experience/",
        {"practice_started_on": "1990-01-01"},
        content_type="application/json",
    )

    assert response.status_code == 404
    assert "Only a project admin can change or verify experience" in response.json()["detail"]
