"""The rules around review, in the browser: an annotator below the protocol's experience
threshold cannot join a project as an annotator, and a reviewer cannot review a case they
annotated (the viewer says why, and the decision API refuses it)."""

import gzip
import hashlib
from datetime import timedelta

import numpy as np
import pytest
from django.utils import timezone

from tests.annotations.conftest import make_ready_study
from tests.browser.test_review_loop import api_post, probe, user_page, workflow_status
from tests.browser.test_viewer_annotate import go_quiet, open_viewer
from tests.exports.helpers import CHECKLIST

pytestmark = pytest.mark.browser


def submit_through_services(case, annotator, grade: int = 3):
    """Assign the case to `annotator`, grade its series, save a small WT and TC block in the
    middle of the grid and submit that version, all through the services."""
    from annotation_platform.annotations.services import mask_version_save
    from annotation_platform.review.services import case_submit

    case.assignee = annotator
    case.save()
    case.study.series.update(quality_grade=grade)
    shape = tuple(case.study.grid["shape"][:3])
    mask = np.zeros(shape, dtype=np.uint8, order="F")
    i, j, k = (n // 2 for n in shape)
    mask[i - 3 : i + 3, j - 3 : j + 3, k - 1 : k + 2] = 1 | 2
    raw = mask.tobytes(order="F")
    version = mask_version_save(
        case=case,
        user=annotator,
        payload=gzip.compress(raw),
        encoding="gzip",
        kind="full",
        checksum=hashlib.sha256(raw).hexdigest(),
        base_version_id=None,
        overrides=[],
    )
    case_submit(case=case, user=annotator, version_id=version.pk, checklist=CHECKLIST)
    case.refresh_from_db()
    return case


@pytest.fixture
def small_case(transactional_db, project, cases_dir):
    """A ready case on a 32 x 32 x 16 grid, assigned to nobody."""
    from annotation_platform.annotations.services import case_ensure_for_study

    return case_ensure_for_study(make_ready_study(project, cases_dir, "GLI0009"))


def test_annotator_below_experience_threshold_cannot_join(
    browser, live_server, project, project_admin, artifacts_dir
):
    from annotation_platform.accounts.models import User
    from annotation_platform.projects.models import Membership

    junior = User.objects.create_user(username="fay", password="fay-password")
    junior.practice_started_on = timezone.localdate() - timedelta(days=round(365.25 * 4))
    junior.experience_verified_by = project_admin
    junior.save()

    admin = user_page(browser, live_server, project_admin.username)
    admin.goto(f"{live_server.url}/projects/{project.pk}/members/")
    admin.fill('#add-member input[name="username"]', "fay")
    admin.select_option('#add-member select[name="role"]', "annotator")
    admin.click("#add-member button[type=submit]")

    message = admin.locator(".message.error")
    message.wait_for()
    assert "fay cannot be a" in message.inner_text()
    assert "4.0 years of experience; the protocol requires 5" in message.inner_text()
    assert not Membership.objects.filter(user=junior, project=project).exists()
    assert admin.locator('tr[data-user="fay"]').count() == 0
    admin.screenshot(path=str(artifacts_dir / "review-member-refused.png"))
    admin.context.close()


def test_reviewer_cannot_review_own_work(browser, live_server, project, reviewer, small_case):
    from annotation_platform.projects.models import Membership

    Membership.objects.create(project=project, user=reviewer, role=Membership.Role.ANNOTATOR)
    case = submit_through_services(small_case, reviewer)
    version_id = case.submitted_version_id

    dana = user_page(browser, live_server, reviewer.username)
    open_viewer(dana, live_server, case)
    assert probe(dana, "workflowMode") == "read_only"
    assert dana.locator('[data-testid="approve-open"]').count() == 0
    status = workflow_status(dana)
    assert "so you cannot review it" in status
    assert "Another senior reviewer must review it" in status

    response = api_post(
        dana,
        live_server,
        f"/api/v1/cases/{case.pk}/review/decision/",
        {"decision": "approved", "version": version_id},
    )
    assert response.status == 403
    assert response.json()["code"] == "REVIEW_OWN_WORK"
    case.refresh_from_db()
    assert case.state == "submitted"
    go_quiet(dana)
    dana.context.close()
