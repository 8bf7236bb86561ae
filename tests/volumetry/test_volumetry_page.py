"""The volumetry page reads as whole sentences in both languages."""

from datetime import date

import pytest

from tests.annotations.conftest import save_mask
from tests.volumetry.test_volumetry import _case, _mask

pytestmark = pytest.mark.django_db


def test_chinese_page_has_no_english_punctuation(project, cases_dir, annotator, client):
    client.force_login(annotator)
    case = _case(project, cases_dir, annotator, "GLI0001", date(2019, 1, 1))
    save_mask(client, case, _mask(10, 5, 0))
    client.cookies["django_language"] = "zh-hans"

    html = client.get(f"/cases/{case.pk}/volumetry/").content.decode()

    assert "GLI0001 的体积测量" in html
    assert "共 1 个病灶。" in html
    assert "病灶." not in html
    assert "体积测量:" not in html
