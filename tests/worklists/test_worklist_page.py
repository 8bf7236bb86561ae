"""The worklist page: sections for the user's roles and overdue due dates."""

from datetime import timedelta

import pytest
from django.utils import timezone

from annotation_platform.annotations.models import Case

pytestmark = pytest.mark.django_db


def test_overdue_case_is_marked(client, ready_case, annotator):
    Case.objects.filter(pk=ready_case.pk).update(due_date=timezone.localdate() - timedelta(days=3))
    client.force_login(annotator)

    html = client.get("/worklist/").content.decode()

    assert 'data-overdue="true"' in html
    assert "overdue" in html


def test_future_due_date_is_not_overdue(client, ready_case, annotator):
    Case.objects.filter(pk=ready_case.pk).update(due_date=timezone.localdate() + timedelta(days=3))
    client.force_login(annotator)

    html = client.get("/worklist/").content.decode()

    assert 'data-overdue="true"' not in html


def test_annotator_sees_no_review_section(client, ready_case, annotator):
    client.force_login(annotator)

    html = client.get("/worklist/").content.decode()

    assert 'id="to-annotate"' in html
    assert 'id="rejected"' in html
    assert 'id="to-review"' not in html


def test_reviewer_sees_only_review_section(client, ready_case, reviewer):
    client.force_login(reviewer)

    html = client.get("/worklist/").content.decode()

    assert 'id="to-review"' in html
    assert 'id="to-annotate"' not in html
    assert 'id="rejected"' not in html


def test_user_without_role_sees_all_sections(client, outsider):
    client.force_login(outsider)

    html = client.get("/worklist/").content.decode()

    assert 'id="to-annotate"' in html
    assert 'id="to-review"' in html


def test_cases_without_due_date_come_last(ready_case, annotator, project, cases_dir):
    from annotation_platform.annotations.services import case_ensure_for_study
    from annotation_platform.worklists.selectors import worklist_for
    from tests.annotations.conftest import make_ready_study

    later = case_ensure_for_study(make_ready_study(project, cases_dir, "GLI0099"))
    Case.objects.filter(pk=later.pk).update(
        assignee=annotator, due_date=timezone.localdate() + timedelta(days=1)
    )

    cases = worklist_for(annotator)["to_annotate"]

    assert [case.pk for case in cases] == [later.pk, ready_case.pk]
