"""One case through the whole review loop in Chromium, with three accounts on a live server.

The project admin Ada puts the case into a cohort and assigns it, the annotator Bo grades the
images, draws and submits, the reviewer Dana rejects with a comment pinned to a point, Bo sees the
comment on the slice, fixes the case and submits again, and Dana approves. The audit trail then
lists every step. The case is BraTS-GLI-00001-000, imported through the real pipeline (inline).
"""

import json
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.browser.test_viewer_annotate import (
    GLIOMA,
    go_quiet,
    open_viewer,
    region_voxels,
    stroke,
    wait_for_regions_shown,
    wait_for_save_status,
)
from tests.conftest import log_in

pytestmark = pytest.mark.browser

CHECKLIST_ITEMS = 4
COMMENT_TEXT = "TC leaves out the necrotic centre on this slice; extend it to the enhancing rim."


@pytest.fixture
def unassigned_case(transactional_db, project, data_dir, tmp_path):
    """The glioma case, imported through the pipeline, in no cohort and assigned to nobody."""
    from annotation_platform.annotations.models import Case

    tree = tmp_path / "cohort"
    shutil.copytree(data_dir / GLIOMA, tree / "GLI-0001")
    call_command("import_studies", str(tree), "--project", project.name)
    case = Case.objects.get(project=project)
    assert case.assignee is None
    return case


def user_page(browser, live_server, username: str, language: str = "en"):
    """A page in its own browser context, logged in as `username`, in the given language."""
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="en-US")
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(30_000)
    log_in(page, live_server, username)
    return page


def probe(page, name: str):
    return page.evaluate(f"() => window.__viewerProbe.{name}()")


def workflow_status(page) -> str:
    return page.locator('[data-testid="workflow-status"]').inner_text()


def open_from_worklist(page, live_server, section: str, case) -> None:
    """Open the case from a section of the worklist, as its users do."""
    page.goto(f"{live_server.url}/worklist/")
    page.locator(f'#{section} tr[data-case-id="{case.pk}"] a.button').click()
    page.wait_for_function(
        "() => window.__viewerTimings && window.__viewerTimings.readyMs", timeout=90_000
    )


def grade_all(page, grade: int) -> None:
    for sequence in ("FLAIR", "T2", "T1c", "T1"):
        select = page.locator(f'[data-testid="quality-grade-{sequence}"]')
        select.select_option(str(grade))
        page.wait_for_function(
            "([sequence, grade]) => document.querySelector("
            "`.quality-row[data-sequence=\"${sequence}\"]`).dataset.level === 'ok'",
            arg=[sequence, grade],
        )


def open_submit_dialog(page):
    page.locator('[data-testid="submit-open"]').click()
    dialog = page.locator('[data-testid="submit-dialog"]')
    dialog.wait_for()
    return dialog


def tick_checklist(dialog) -> None:
    boxes = dialog.locator('input[name="checklist"]')
    assert boxes.count() == CHECKLIST_ITEMS
    for index in range(CHECKLIST_ITEMS):
        boxes.nth(index).check()


def click_viewport(page, sequence: str, dx: float, dy: float) -> None:
    box = page.locator(f'.viewport-frame[data-sequence="{sequence}"]').bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2 + dx, box["y"] + box["height"] / 2 + dy)


def decide(page, decision: str, summary: str = "") -> None:
    button = "approve" if decision == "approved" else "reject"
    page.locator(f'[data-testid="{button}-open"]').click()
    dialog = page.locator('[data-testid="decision-dialog"]')
    dialog.wait_for()
    if summary:
        dialog.locator('[data-testid="decision-summary"]').fill(summary)
    dialog.locator('[data-testid="decision-confirm"]').click()
    dialog.wait_for(state="detached")
    page.wait_for_function("(state) => window.__viewerProbe.caseState() === state", arg=decision)


def slice_label(page, sequence: str = "T2") -> str:
    return page.locator(f'.viewport-frame[data-sequence="{sequence}"] .overlay-slice').inner_text()


def assign_through_cohort_page(page, live_server, project, annotator) -> None:
    # Each form reloads the page: wait for the new page before touching it.
    page.goto(f"{live_server.url}/projects/{project.pk}/cohorts/")
    with page.expect_navigation():
        page.click("#cohort-filters button[type=submit]")
    page.fill("#cohort-create input[name=name]", "Glioma spring cohort")
    with page.expect_navigation(url="**/cohorts/*/"):
        page.click("#cohort-create button[type=submit]")
    for checkbox in page.locator('#assign-balanced input[name="annotators"]').all():
        if checkbox.get_attribute("value") != str(annotator.pk):
            checkbox.uncheck()
    with page.expect_navigation(url="**/cohorts/*/"):
        page.click("#assign-balanced button[type=submit]")


def test_case_goes_through_the_review_loop(
    browser,
    live_server,
    unassigned_case,
    project,
    project_admin,
    annotator,
    reviewer,
    artifacts_dir: Path,
):
    case = unassigned_case
    admin = user_page(browser, live_server, project_admin.username)
    assign_through_cohort_page(admin, live_server, project, annotator)
    row = admin.locator(f'#assign-manual tr[data-case-id="{case.pk}"]')
    assert row.locator("select").input_value() == str(annotator.pk)

    # The annotator grades the images, draws the three regions and submits.
    bo = user_page(browser, live_server, annotator.username)
    open_from_worklist(bo, live_server, "to-annotate", case)
    wait_for_regions_shown(bo)
    assert probe(bo, "workflowMode") == "annotate"
    assert bo.locator('[data-testid="submit-open"]').is_disabled()
    tag = bo.locator('.viewport-frame[data-sequence="FLAIR"] .quality-tag')
    assert tag.get_attribute("data-level") == "missing"
    assert "not graded" in tag.inner_text()
    bo.keyboard.press("1")
    stroke(bo, "FLAIR", dx=20, dy=10, length=60)
    bo.keyboard.press("2")
    stroke(bo, "T2", dx=30, dy=10, length=40)
    bo.keyboard.press("3")
    stroke(bo, "T1c", dx=35, dy=10, length=15)
    bo.keyboard.press("Control+s")
    wait_for_save_status(bo, "saved")
    bo.screenshot(path=str(artifacts_dir / "review-annotator-ungraded.png"))

    dialog = open_submit_dialog(bo)
    assert dialog.locator('[data-testid="submit-quality-warning"]').is_visible()
    tick_checklist(dialog)
    dialog.locator('[data-testid="submit-confirm"]').click()
    error = dialog.locator('[data-testid="submit-error"]')
    error.wait_for()
    assert "cannot be submitted" in error.inner_text()
    assert "graded 2 or better" in error.inner_text()
    bo.screenshot(path=str(artifacts_dir / "review-submit-dialog-refused.png"))
    dialog.locator("button", has_text="Cancel").click()

    grade_all(bo, 3)
    assert "Every sequence is graded" in bo.inner_text('[data-testid="quality-summary"]')
    dialog = open_submit_dialog(bo)
    assert dialog.locator('[data-testid="submit-quality-warning"]').count() == 0
    confirm = dialog.locator('[data-testid="submit-confirm"]')
    assert confirm.is_disabled()
    tick_checklist(dialog)
    bo.screenshot(path=str(artifacts_dir / "review-submit-dialog.png"))
    confirm.click()
    bo.wait_for_function("() => window.__viewerProbe.caseState() === 'submitted'")
    assert probe(bo, "workflowMode") == "read_only"
    assert probe(bo, "saveStatus") == "readonly"
    assert "submitted for review" in workflow_status(bo)
    assert bo.locator('[data-testid="recall"]').is_visible()
    go_quiet(bo)

    # The reviewer opens it, pins a comment to a point of TC and rejects.
    dana = user_page(browser, live_server, reviewer.username)
    open_from_worklist(dana, live_server, "to-review", case)
    wait_for_regions_shown(dana)
    assert probe(dana, "workflowMode") == "review"
    dana.wait_for_function("() => window.__viewerProbe.caseState() === 'in_review'")
    answers = dana.locator('[data-testid="submitted-checklist"] li.ok')
    assert answers.count() == CHECKLIST_ITEMS
    assert dana.locator('.tool-button[data-tool="brush"]').is_hidden()
    dana.keyboard.press("c")
    click_viewport(dana, "T2", dx=68, dy=10)
    comment = dana.locator('[data-testid="comment-dialog"]')
    comment.wait_for()
    assert comment.locator('[data-testid="comment-region"]').input_value() == "TC"
    comment.locator('[data-testid="comment-text"]').fill(COMMENT_TEXT)
    comment.locator("button[type=submit]").click()
    markers = dana.locator(".comment-marker")
    markers.first.wait_for()
    assert markers.count() == 4  # the same slice is shown in the four viewports
    assert "Comments: 1" in dana.inner_text('[data-testid="draft-count"]')
    comment_slice = slice_label(dana)
    dana.screenshot(path=str(artifacts_dir / "review-mode-comment.png"))

    decide(dana, "rejected", summary="See the comment on TC.")
    assert probe(dana, "workflowMode") == "read_only"
    assert dana.locator(".comment-marker").count() == 4
    go_quiet(dana)

    # The annotator sees the comment count in the worklist, and the comment on its slice.
    bo.context.set_offline(False)
    bo.goto(f"{live_server.url}/worklist/")
    chip = bo.locator(f'#rejected tr[data-case-id="{case.pk}"] [data-comment-count]')
    assert chip.get_attribute("data-comment-count") == "1"
    bo.screenshot(path=str(artifacts_dir / "review-worklist-rejected.png"))
    open_from_worklist(bo, live_server, "rejected", case)
    wait_for_regions_shown(bo)
    assert "Rejected by the reviewer (comments: 1)" in workflow_status(bo)
    rows = bo.locator('[data-testid="comment-list"] li')
    assert rows.count() == 1
    assert COMMENT_TEXT in rows.first.inner_text()
    for _ in range(3):
        bo.keyboard.press("PageUp")
    assert bo.locator(".comment-marker").count() == 0
    rows.first.locator(".comment-jump").click()
    assert slice_label(bo) == comment_slice
    marker = bo.locator('.viewport-frame[data-sequence="T2"] .comment-marker')
    marker.wait_for()
    popover = bo.locator('.viewport-frame[data-sequence="T2"] .comment-popover')
    assert COMMENT_TEXT in popover.inner_text()
    bo.screenshot(path=str(artifacts_dir / "review-annotator-comment-marker.png"))

    # The fix: more TC on T2, saved, then submitted again.
    painted = region_voxels(bo)
    bo.keyboard.press("2")
    # The jump centred the viewports on the comment. The stroke widens TC above it and passes
    # under the comment's text, which must not catch the pointer.
    stroke(bo, "T2", dx=-30, dy=-12, length=60)
    assert region_voxels(bo)["TC"] > painted["TC"]
    bo.keyboard.press("Control+s")
    wait_for_save_status(bo, "saved")
    dialog = open_submit_dialog(bo)
    tick_checklist(dialog)
    dialog.locator('[data-testid="submit-confirm"]').click()
    bo.wait_for_function("() => window.__viewerProbe.caseState() === 'submitted'")
    go_quiet(bo)

    # The reviewer approves the new version.
    dana.context.set_offline(False)
    open_from_worklist(dana, live_server, "to-review", case)
    assert probe(dana, "workflowMode") == "review"
    decide(dana, "approved")
    assert "approved" in workflow_status(dana)
    go_quiet(dana)

    case.refresh_from_db()
    assert case.state == "approved"
    assert case.approved_version.number == case.latest_version.number
    assert case.annotation_seconds >= 0

    # The audit trail lists the assignment, the saves and every change of state.
    admin.goto(f"{live_server.url}/audit/?target=case:{case.pk}")
    actions = [row.get_attribute("data-action") for row in admin.locator("tr[data-action]").all()]
    assert "case.assigned" in actions
    assert actions.count("mask.saved") >= 2
    details = admin.inner_text("table")
    for state in ("submitted", "in_review", "rejected", "approved"):
        assert f"after={state}" in details, state
    admin.screenshot(path=str(artifacts_dir / "review-audit.png"), full_page=True)
    for page in (admin, bo, dana):
        page.context.close()


def test_viewer_in_chinese_shows_the_review_bar(
    browser, live_server, unassigned_case, annotator, reviewer, artifacts_dir: Path
):
    from tests.browser.test_review_rules import submit_through_services

    case = submit_through_services(unassigned_case, annotator)
    dana = user_page(browser, live_server, reviewer.username, language="zh-hans")
    open_viewer(dana, live_server, case)
    wait_for_regions_shown(dana)
    assert probe(dana, "workflowMode") == "review"
    assert "审核第 1 版" in workflow_status(dana)
    assert dana.locator('[data-testid="approve-open"]').inner_text() == "批准…"
    dana.screenshot(path=str(artifacts_dir / "review-mode-zh-hans.png"))
    go_quiet(dana)
    dana.context.close()


def api_post(page, live_server, path: str, body: dict):
    """POST JSON through the page's session, with the CSRF token from its cookie."""
    cookies = {cookie["name"]: cookie["value"] for cookie in page.context.cookies()}
    return page.request.post(
        f"{live_server.url}{path}",
        data=json.dumps(body),
        headers={"Content-Type": "application/json", "X-CSRFToken": cookies.get("csrftoken", "")},
    )
