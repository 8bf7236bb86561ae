"""The shell's bulk import and the demo data that `make run` loads."""

import shutil

import pytest
from django.core.management import call_command

from annotation_platform.annotations.models import Case
from annotation_platform.studies.models import Study, Upload
from annotation_platform.studies.services.demo import DEMO_PROJECT
from tests.conftest import wait_for_jobs


@pytest.mark.django_db(transaction=True)
def test_import_command_imports_a_folder_tree_inline(project, data_dir, tmp_path, capsys):
    tree = tmp_path / "cohort"
    shutil.copytree(data_dir / "brats-like" / "BraTS-METS-sample-AURORA", tree / "METS-0001")
    shutil.copy(data_dir / "charset" / "chrX2.dcm", tree / "chrX2.dcm")
    (tree / "METS-0001" / "notes.txt").write_text("reading notes")

    call_command("import_studies", str(tree), "--project", project.name)

    output = capsys.readouterr().out
    assert "2 uploads accepted, 0 rejected, 1 files of other kinds skipped" in output
    studies = {study.status for study in Study.objects.filter(project=project)}
    assert Study.Status.READY in studies
    ready = Study.objects.get(project=project, status=Study.Status.READY)
    assert {s.sequence for s in ready.series.filter(selected=True)} == {"T1", "T1c", "T2", "FLAIR"}


@pytest.mark.django_db(transaction=True)
def test_import_command_names_a_missing_project(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No project is named 'Nope'"):
        call_command("import_studies", str(tmp_path), "--project", "Nope")


@pytest.mark.worker
def test_demo_data_loads_and_becomes_ready(worker):
    call_command("load_demo")

    wait_for_jobs(timeout_s=300)
    studies = Study.objects.filter(project__name=DEMO_PROJECT).select_related("patient")
    statuses = sorted(study.status for study in studies)
    assert (
        statuses.count(Study.Status.READY) == 3
    )  # two BraTS cases and the co-registered TCGA case
    assert Upload.objects.filter(state=Upload.State.DONE).count() == 6
    ready_cases = Case.objects.filter(project__name=DEMO_PROJECT)
    assert ready_cases.count() == 3
    assert all(case.assignee is not None for case in ready_cases)  # auto-assigned to annotators

    call_command("load_demo")  # a second run of `make run` loads nothing twice
    assert Upload.objects.count() == 6
