"""Admins see the decoded patient names of files still in quarantine; nothing crashes on a
mislabelled character set, and no ISO 2022 escape sequence reaches the page."""

import pytest

from tests.studies.helpers import upload_files

EXPECTED = "Ceshi^Lingyi=测试^零一"


@pytest.mark.django_db
def test_chinese_names_decode_for_the_admin(project, admin_client, cases_dir):
    files = sorted((cases_dir / "C22").glob("*.dcm"))
    response = upload_files(admin_client, project.pk, files)
    assert response.status_code == 201, response.content  # no worker: the files stay in quarantine

    page = admin_client.get("/quarantine/")

    assert page.status_code == 200
    html = page.content.decode("utf-8")
    assert EXPECTED in html
    assert "\x1b" not in html and "$)A" not in html
    assert "GB18030" in html and "ISO_IR 192" in html
    assert "may be mis-decoded" in html  # the GBK files declared as Latin-1 or with no charset


@pytest.mark.django_db
def test_quarantine_page_is_for_project_admins_only(
    project, client, annotator, cases_dir, admin_client
):
    upload_files(admin_client, project.pk, [cases_dir / "C22" / "a_gb18030.dcm"])
    client.force_login(annotator)

    page = client.get("/quarantine/")

    assert EXPECTED not in page.content.decode("utf-8")
