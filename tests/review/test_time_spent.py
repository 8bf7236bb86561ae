"""Time spent per case counts only while its user can work on it."""

import pytest

from annotation_platform.annotations.models import Case

pytestmark = pytest.mark.django_db


def _beat(client, case, seconds=20):
    return client.post(
        f"/api/v1/cases/{case.pk}/heartbeat/", {"seconds": seconds}, content_type="application/json"
    )


def test_annotator_time_counts_while_editable(client, ready_case, annotator):
    client.force_login(annotator)

    response = _beat(client, ready_case)

    assert response.status_code == 204
    assert Case.objects.get(pk=ready_case.pk).annotation_seconds == 20


@pytest.mark.parametrize("state", ["submitted", "in_review", "excluded"])
def test_open_tab_adds_nothing_after_hand_on(client, ready_case, annotator, state):
    Case.objects.filter(pk=ready_case.pk).update(state=state)
    client.force_login(annotator)

    _beat(client, ready_case)

    assert Case.objects.get(pk=ready_case.pk).annotation_seconds == 0


def test_reviewer_time_stops_after_decision(client, ready_case, reviewer):
    Case.objects.filter(pk=ready_case.pk).update(state="in_review", reviewer=reviewer)
    client.force_login(reviewer)
    _beat(client, ready_case)
    Case.objects.filter(pk=ready_case.pk).update(state="approved")
    _beat(client, ready_case)

    assert Case.objects.get(pk=ready_case.pk).review_seconds == 20
