"""Every screen and message exists in English and Simplified Chinese."""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

REPOSITORY = Path(__file__).resolve().parent.parent
PO_FILE = REPOSITORY / "annotation_platform/locale/zh_Hans/LC_MESSAGES/django.po"
MO_FILE = PO_FILE.with_suffix(".mo")
FRONTEND_I18N = REPOSITORY / "frontend/src/i18n"
PERCENT_PLACEHOLDER = re.compile(r"%\((\w+)\)[sdfr]|%[sd]")
BRACE_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _entries() -> list[polib.POEntry]:
    return [entry for entry in polib.pofile(str(PO_FILE)) if not entry.obsolete]


def test_every_django_message_is_translated():
    missing = [
        entry.msgid for entry in _entries() if not entry.translated() or "fuzzy" in entry.flags
    ]
    assert missing == []


def test_placeholders_survive_translation():
    wrong = []
    for entry in _entries():
        translations = [entry.msgstr] if entry.msgstr else list(entry.msgstr_plural.values())
        for text in translations:
            if sorted(PERCENT_PLACEHOLDER.findall(entry.msgid)) != sorted(
                PERCENT_PLACEHOLDER.findall(text)
            ):
                if not entry.msgid_plural:
                    wrong.append(entry.msgid)
            if sorted(BRACE_PLACEHOLDER.findall(entry.msgid)) != sorted(
                BRACE_PLACEHOLDER.findall(text)
            ):
                wrong.append(entry.msgid)
    assert wrong == []


def test_catalogue_holds_every_message_in_the_code(tmp_path):
    """makemessages on a copy of the code finds no message the catalogue lacks."""
    if shutil.which("xgettext") is None:
        pytest.skip("xgettext (Debian's gettext) is not installed")
    copy = tmp_path / "annotation_platform"
    shutil.copytree(
        REPOSITORY / "annotation_platform",
        copy,
        ignore=shutil.ignore_patterns("static_build", "__pycache__"),
    )
    subprocess.run(
        [
            sys.executable,
            str(REPOSITORY / "manage.py"),
            "makemessages",
            "-l",
            "zh_Hans",
            "--add-location=file",
        ],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "annotation_platform.settings.test",
            "PYTHONPATH": str(tmp_path),
        },
    )
    fresh = {
        entry.msgid
        for entry in polib.pofile(str(copy / "locale/zh_Hans/LC_MESSAGES/django.po"))
        if not entry.obsolete
    }
    known = {entry.msgid for entry in _entries()}
    assert sorted(fresh - known) == []


def test_compiled_catalogue_is_current():
    compiled = {entry.msgid: entry.msgstr for entry in polib.mofile(str(MO_FILE))}
    source = {entry.msgid: entry.msgstr for entry in _entries() if not entry.msgid_plural}
    stale = [msgid for msgid, text in source.items() if compiled.get(msgid) != text]
    assert stale == []


def test_frontend_catalogues_match():
    english = json.loads((FRONTEND_I18N / "en.json").read_text(encoding="utf-8"))
    chinese = json.loads((FRONTEND_I18N / "zh-Hans.json").read_text(encoding="utf-8"))

    assert sorted(english) == sorted(chinese)
    assert [key for key, text in chinese.items() if not text.strip()] == []
    for key, text in english.items():
        assert sorted(BRACE_PLACEHOLDER.findall(text)) == sorted(
            BRACE_PLACEHOLDER.findall(chinese[key])
        ), key


@pytest.mark.django_db
def test_pages_follow_the_browser_language(admin_client, project):
    chinese = admin_client.get("/studies/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    english = admin_client.get("/studies/", HTTP_ACCEPT_LANGUAGE="en-US")

    assert 'lang="zh-hans"' in chinese.content.decode()
    assert "检查" in chinese.content.decode()
    assert 'lang="en"' in english.content.decode()


@pytest.mark.django_db
def test_language_can_be_switched(admin_client, project):
    admin_client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/studies/"})

    page = admin_client.get("/studies/", HTTP_ACCEPT_LANGUAGE="en-US")

    assert 'lang="zh-hans"' in page.content.decode()


@pytest.mark.django_db
def test_api_errors_are_translated(admin_client, project, data_dir):
    project.irb_number = ""
    project.save()
    with (data_dir / "charset" / "chrX2.dcm").open("rb") as handle:
        response = admin_client.post(
            f"/api/v1/projects/{project.pk}/uploads/",
            {"files": [handle]},
            HTTP_ACCEPT_LANGUAGE="zh-CN",
        )

    assert response.json()["code"] == "IRB_APPROVAL_MISSING"
    assert re.search(r"[\u4e00-\u9fff]", response.json()["detail"])
