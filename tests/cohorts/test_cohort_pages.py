"""The cohort page's assignment forms: due dates, invalid input and progress."""

from datetime import date

import pytest

from annotation_platform.annotations.models import Case
from annotation_platform.annotations.services import case_ensure_for_study
from annotation_platform.cohorts.services import case_assign, cohort_create
from annotation_platform.core.models import AuditEvent
from tests.annotations.conftest import make_ready_study


@pytest.fixture
def cohort(project, cases_dir, annotator):
    cases = [
        case_ensure_for_study(make_ready_study(project, cases_dir, f"GLI{n:04d}"))
        for n in range(1, 3)
    ]
    for case in cases:
        case_assign(case=case, annotator=annotator, assigned_by=project.created_by)
    return cohort_create(
        project=project, name="Spring batch", cases=cases, created_by=project.created_by
    )


def _post(admin_client, cohort, **fields):
    return admin_client.post(f"/cohorts/{cohort.pk}/", fields, follow=True)


def test_manual_form_sets_due_date_alone(admin_client, cohort, annotator):
    first, second = cohort.cases.order_by("pk")

    response = _post(
        admin_client,
        cohort,
        mode="manual",
        **{
            f"case-{first.pk}": str(annotator.pk),
            f"due-{first.pk}": "2026-12-01",
            f"case-{second.pk}": str(annotator.pk),
            f"due-{second.pk}": "",
        },
    )

    assert response.status_code == 200
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.due_date == date(2026, 12, 1)
    assert first.assignee_id == annotator.pk
    assert second.due_date is None
    event = AuditEvent.objects.filter(action="case.due_date_changed").get()
    assert event.details["due_date"] == "2026-12-01"


def test_manual_form_clears_due_date(admin_client, cohort, annotator):
    first = cohort.cases.order_by("pk").first()
    Case.objects.filter(pk=first.pk).update(due_date=date(2026, 12, 20))

    _post(admin_client, cohort, mode="manual", **{f"due-{first.pk}": ""})

    first.refresh_from_db()
    assert first.due_date is None


def test_reassignment_and_due_date_together(admin_client, cohort, second_annotator):
    first = cohort.cases.order_by("pk").first()

    _post(
        admin_client,
        cohort,
        mode="manual",
        **{f"case-{first.pk}": str(second_annotator.pk), f"due-{first.pk}": "2027-01-15"},
    )

    first.refresh_from_db()
    assert first.assignee_id == second_annotator.pk
    assert first.due_date == date(2027, 1, 15)


@pytest.mark.parametrize(
    ("fields", "code_text"),
    [
        ({"mode": "manual", "case-{case}": "999999"}, "User 999999 does not exist"),
        ({"mode": "manual", "due-{case}": "next friday"}, "next friday is not a date"),
        ({"mode": "balanced", "annotators": "abc"}, "User abc does not exist"),
        ({"mode": "balanced", "annotators": "{annotator}", "due_date": "2026-13-40"}, "2026-13-40"),
    ],
)
def test_invalid_assignment_input_is_reported(admin_client, cohort, annotator, fields, code_text):
    first = cohort.cases.order_by("pk").first()
    data = {
        key.format(case=first.pk): value.format(annotator=annotator.pk)
        for key, value in fields.items()
    }

    response = _post(admin_client, cohort, **data)

    assert response.status_code == 200
    assert code_text in response.content.decode()
    first.refresh_from_db()
    assert first.assignee_id == annotator.pk
    assert first.due_date is None


def test_manual_form_rejects_outsider(admin_client, cohort, annotator, outsider):
    first = cohort.cases.order_by("pk").first()

    response = _post(admin_client, cohort, mode="manual", **{f"case-{first.pk}": str(outsider.pk)})

    assert "is not an annotator of project" in response.content.decode()
    first.refresh_from_db()
    assert first.assignee_id == annotator.pk


def test_failed_form_changes_nothing(admin_client, cohort, annotator, second_annotator):
    first, second = cohort.cases.order_by("pk")

    _post(
        admin_client,
        cohort,
        mode="manual",
        **{f"case-{first.pk}": str(second_annotator.pk), f"due-{second.pk}": "bad"},
    )

    first.refresh_from_db()
    assert first.assignee_id == annotator.pk


def test_cohort_page_shows_progress(admin_client, cohort):
    Case.objects.filter(pk=cohort.cases.order_by("pk").first().pk).update(state=Case.State.APPROVED)

    response = admin_client.get(f"/cohorts/{cohort.pk}/")

    assert "1 of 2 cases approved" in response.content.decode()


def test_api_manual_assignment_bad_case_key(admin_client, cohort, annotator):
    response = admin_client.post(
        f"/api/v1/cohorts/{cohort.pk}/assign/",
        {"mode": "manual", "assignments": {"abc": annotator.pk}},
        content_type="application/json",
    )

    assert response.status_code == 404
    assert response.json()["code"] == "ASSIGNMENT_INVALID"
