"""The dashboard's time figures and the audit trail's readable action names."""

import pytest
from django.utils import translation

from annotation_platform.annotations.models import Case
from annotation_platform.annotations.services import case_ensure_for_study
from annotation_platform.cohorts.services import case_assign
from annotation_platform.worklists.selectors import dashboard_for
from tests.annotations.conftest import make_ready_study

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_cases(project, cases_dir, annotator):
    cases = []
    for n in (1, 2):
        case = case_ensure_for_study(make_ready_study(project, cases_dir, f"GLI{n:04d}"))
        cases.append(case_assign(case=case, annotator=annotator, assigned_by=project.created_by))
    return cases


def test_annotator_mean_skips_untouched_cases(project, two_cases):
    Case.objects.filter(pk=two_cases[0].pk).update(annotation_seconds=3600)

    row = dashboard_for(project)["per_annotator"][0]

    assert row["mean_minutes"] == pytest.approx(60.0)


def test_dashboard_without_timing_says_so(admin_client, project, two_cases):
    html = admin_client.get(f"/projects/{project.pk}/dashboard/").content.decode()

    assert "not measured yet" in html
    assert "0.0 min" not in html


def test_audit_trail_names_actions(admin_client, two_cases):
    html = admin_client.get("/audit/").content.decode()

    assert "Case assigned" in html
    assert "case.assigned" in html


def test_audit_trail_names_actions_in_chinese(admin_client, two_cases):
    with translation.override("zh-hans"):
        admin_client.cookies["django_language"] = "zh-hans"
        html = admin_client.get("/audit/").content.decode()

    assert "Case assigned" not in html
