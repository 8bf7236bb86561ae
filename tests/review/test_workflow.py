"""The review loop: submit with the checklist, review by a qualified senior who did not annotate,
approve the exact version or reject with pinned comments, and an audit event for every step."""

from datetime import timedelta

import numpy as np
import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from annotation_platform.annotations.models import Case
from annotation_platform.cohorts.services import case_assign, cohort_assign_balanced, cohort_create
from annotation_platform.core.models import AuditEvent
from annotation_platform.errors import ActionableError
from annotation_platform.projects.models import Membership
from tests.annotations.conftest import brats2023_to_bitmask, label_map, save_mask

pytestmark = pytest.mark.django_db

CHECKLIST = {
    "no_ageing_wmh_as_oedema": True,
    "all_lesions_annotated": True,
    "image_quality_acceptable": True,
    "tumour_in_scope": True,
}


@pytest.fixture
def annotator_client(client, annotator):
    client.force_login(annotator)
    return client


@pytest.fixture
def reviewer_client(reviewer):
    from django.test import Client

    client = Client()
    client.force_login(reviewer)
    return client


def _draw(client, case, cases_dir, name="mask_v1_base", base=None):
    response = save_mask(
        client, case, brats2023_to_bitmask(label_map(cases_dir, name)), base_version=base
    )
    assert response.status_code == 201, response.content
    return response.json()


def _submit(client, case, version_id, checklist=CHECKLIST):
    return client.post(
        f"/api/v1/cases/{case.pk}/submit/",
        {"version": version_id, "checklist": checklist},
        content_type="application/json",
    )


def _decide(client, case, version_id, decision, comments=(), summary=""):
    return client.post(
        f"/api/v1/cases/{case.pk}/review/decision/",
        {
            "decision": decision,
            "version": version_id,
            "comments": list(comments),
            "summary": summary,
        },
        content_type="application/json",
    )


def test_submission_needs_every_checklist_item(ready_case, annotator_client, cases_dir):
    version = _draw(annotator_client, ready_case, cases_dir)

    response = _submit(
        annotator_client, ready_case, version["id"], {**CHECKLIST, "all_lesions_annotated": False}
    )

    assert response.status_code == 400
    assert response.json()["code"] == "CHECKLIST_INCOMPLETE"
    assert "all_lesions_annotated" in response.json()["detail"]
    assert Case.objects.get(pk=ready_case.pk).state == Case.State.ANNOTATING


def test_empty_required_region_blocks_submission(ready_case, annotator_client):
    version = save_mask(annotator_client, ready_case, np.zeros((32, 32, 16), np.uint8)).json()

    response = _submit(annotator_client, ready_case, version["id"])

    assert response.json()["code"] == "REQUIRED_REGION_EMPTY"


def test_full_loop_reject_then_approve(ready_case, annotator_client, reviewer_client, cases_dir):
    v1 = _draw(annotator_client, ready_case, cases_dir)
    assert _submit(annotator_client, ready_case, v1["id"]).status_code == 200

    comment = {
        "region": "ET",
        "axis": "axial",
        "point_ijk": [16, 16, 8],
        "text": "Enhancing rim missed",
    }
    rejected = _decide(reviewer_client, ready_case, v1["id"], "rejected", [comment])

    assert rejected.status_code == 201, rejected.content
    comments = annotator_client.get(f"/api/v1/cases/{ready_case.pk}/comments/").json()
    assert comments[0]["text"] == "Enhancing rim missed"
    assert comments[0]["slice_index"] == 8
    worklist = annotator_client.get("/api/v1/worklist/").json()
    assert [c["id"] for c in worklist["rejected"]] == [ready_case.pk]

    v2 = _draw(
        annotator_client, ready_case, cases_dir, "mask_reference_merge_B_then_A", base=v1["id"]
    )
    assert Case.objects.get(pk=ready_case.pk).state == Case.State.ANNOTATING
    assert _submit(annotator_client, ready_case, v2["id"]).status_code == 200
    approved = _decide(reviewer_client, ready_case, v2["id"], "approved")

    assert approved.status_code == 201
    case = Case.objects.get(pk=ready_case.pk)
    assert case.state == Case.State.APPROVED
    assert case.approved_version_id == v2["id"]
    actions = list(
        AuditEvent.objects.filter(target=f"case:{case.pk}").values_list("action", "details")
    )
    states = [d.get("after") for a, d in actions if a == "case.state_changed"]
    assert states == [
        "annotating",
        "submitted",
        "in_review",
        "rejected",
        "annotating",
        "submitted",
        "in_review",
        "approved",
    ]


def test_reviewer_cannot_review_own_annotation(ready_case, project, client, cases_dir, reviewer):
    Membership.objects.create(project=project, user=reviewer, role=Membership.Role.ANNOTATOR)
    case_assign(case=ready_case, annotator=reviewer, assigned_by=project.created_by)
    client.force_login(reviewer)
    version = _draw(client, ready_case, cases_dir)
    _submit(client, ready_case, version["id"])

    response = _decide(client, ready_case, version["id"], "approved")

    assert response.status_code == 404 or response.json()["code"] == "REVIEW_OWN_WORK"
    assert Case.objects.get(pk=ready_case.pk).state == Case.State.SUBMITTED


def test_approval_must_name_the_current_version(
    ready_case, annotator_client, reviewer_client, cases_dir
):
    """C25 steps 6 and 7: approving version 2 while version 3 is current is a conflict."""
    v1 = _draw(annotator_client, ready_case, cases_dir)
    v2 = _draw(annotator_client, ready_case, cases_dir, "mask_userB_adds_ED", base=v1["id"])
    v3 = _draw(
        annotator_client, ready_case, cases_dir, "mask_reference_merge_B_then_A", base=v2["id"]
    )
    _submit(annotator_client, ready_case, v3["id"])

    stale = _decide(reviewer_client, ready_case, v2["id"], "approved")
    current = _decide(reviewer_client, ready_case, v3["id"], "approved")

    assert stale.status_code == 409
    assert stale.json()["code"] == "VERSION_NOT_CURRENT"
    assert current.status_code == 201
    assert Case.objects.get(pk=ready_case.pk).approved_version_id == v3["id"]


def test_edit_after_approval_needs_a_new_review(
    ready_case, annotator_client, reviewer_client, cases_dir
):
    v1 = _draw(annotator_client, ready_case, cases_dir)
    _submit(annotator_client, ready_case, v1["id"])
    _decide(reviewer_client, ready_case, v1["id"], "approved")

    v2 = _draw(annotator_client, ready_case, cases_dir, "mask_userB_adds_ED", base=v1["id"])

    case = Case.objects.get(pk=ready_case.pk)
    assert case.state == Case.State.ANNOTATING
    assert case.approved_version_id == v1["id"]  # the approval stays with the version reviewed
    assert case.latest_version_id == v2["id"]


def test_rejection_needs_a_comment(ready_case, annotator_client, reviewer_client, cases_dir):
    v1 = _draw(annotator_client, ready_case, cases_dir)
    _submit(annotator_client, ready_case, v1["id"])

    response = _decide(reviewer_client, ready_case, v1["id"], "rejected")

    assert response.json()["code"] == "REJECTION_NEEDS_COMMENT"


def test_unqualified_reviewer_is_refused(
    ready_case, annotator_client, cases_dir, project, client, outsider
):
    outsider.practice_started_on = timezone.localdate() - timedelta(days=365 * 9)
    outsider.save()
    Membership.objects.create(project=project, user=outsider, role=Membership.Role.REVIEWER)
    v1 = _draw(annotator_client, ready_case, cases_dir)
    _submit(annotator_client, ready_case, v1["id"])
    client.force_login(outsider)

    response = _decide(client, ready_case, v1["id"], "approved")

    assert response.status_code == 403
    assert response.json()["code"] == "REVIEWER_NOT_QUALIFIED"
    assert "10" in response.json()["detail"]


def test_out_of_scope_case_is_excluded_with_reason(ready_case, annotator_client):
    response = annotator_client.post(
        f"/api/v1/cases/{ready_case.pk}/exclude/",
        {"reason": "sellar", "note": "pituitary macroadenoma"},
        content_type="application/json",
    )

    assert response.status_code == 200
    case = Case.objects.get(pk=ready_case.pk)
    assert (case.state, case.exclusion_key) == (Case.State.EXCLUDED, "sellar")


def test_annotator_with_four_years_cannot_be_assigned(ready_case, project, second_annotator):
    second_annotator.practice_started_on = timezone.localdate() - timedelta(days=365 * 4)
    second_annotator.save()

    with pytest.raises(ActionableError) as raised:
        case_assign(case=ready_case, annotator=second_annotator, assigned_by=project.created_by)

    assert raised.value.code == "NOT_QUALIFIED_FOR_ROLE"
    assert "4.0 years" in raised.value.localized()


def test_balanced_assignment_spreads_cases(project, cases_dir, annotator, second_annotator):
    from annotation_platform.annotations.services import case_ensure_for_study
    from tests.annotations.conftest import make_ready_study

    cases = [
        case_ensure_for_study(make_ready_study(project, cases_dir, f"GLI{n:04d}"))
        for n in range(1, 5)
    ]
    cohort = cohort_create(
        project=project, name="First batch", cases=cases, created_by=project.created_by
    )

    result = cohort_assign_balanced(
        cohort=cohort, annotators=[annotator, second_annotator], assigned_by=project.created_by
    )

    assert sorted(
        list(result.values()).count(user.pk) for user in (annotator, second_annotator)
    ) == [2, 2]


def test_reassignment_keeps_the_work(
    ready_case, annotator_client, cases_dir, project, second_annotator
):
    v1 = _draw(annotator_client, ready_case, cases_dir)

    case = case_assign(case=ready_case, annotator=second_annotator, assigned_by=project.created_by)

    assert case.latest_version_id == v1["id"]
    event = AuditEvent.objects.filter(action="case.assigned").last()
    assert event.details["latest_version"] == 1


def test_audit_events_cannot_be_changed(ready_case):
    event = AuditEvent.objects.first()

    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET action = 'forged' WHERE id = %s", [event.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [event.pk])
