"""Volumetry of a case against the same patient's prior study."""

from datetime import date

import numpy as np
import pytest

from annotation_platform.annotations.services import case_ensure_for_study
from annotation_platform.studies.models import Study
from tests.annotations.conftest import make_ready_study, save_mask

pytestmark = pytest.mark.django_db


def _case(project, cases_dir, annotator, label, study_date, patient=None):
    study = make_ready_study(project, cases_dir, label)
    if patient is not None:
        old_patient = study.patient
        study.patient = patient
        study.save()
        old_patient.delete()
    Study.objects.filter(pk=study.pk).update(study_date=study_date)
    case = case_ensure_for_study(Study.objects.get(pk=study.pk))
    case.assignee = annotator
    case.save()
    return case


def _mask(wt_voxels: int, tc_voxels: int, et_voxels: int) -> np.ndarray:
    mask = np.zeros(32 * 32 * 16, np.uint8)
    mask[:wt_voxels] |= 1
    mask[:tc_voxels] |= 2
    mask[:et_voxels] |= 4
    return mask.reshape((32, 32, 16), order="F")


def test_volumes_change_and_growth_per_month(project, cases_dir, annotator, client):
    client.force_login(annotator)
    first = _case(project, cases_dir, annotator, "GLI0001", date(2019, 1, 1))
    second = _case(
        project, cases_dir, annotator, "GLI0001b", date(2019, 4, 2), patient=first.study.patient
    )
    spacing_mm3 = (
        first.study.grid["spacing_mm"][0]
        * first.study.grid["spacing_mm"][1]
        * first.study.grid["spacing_mm"][2]
    )
    save_mask(client, first, _mask(1000, 400, 100))
    save_mask(client, second, _mask(1500, 400, 200))

    report = client.get(f"/api/v1/cases/{second.pk}/volumetry/").json()

    assert report["prior"]["case"] == first.pk
    wt = report["change"]["regions"]["WT"]
    assert wt["delta_cm3"] == pytest.approx(500 * spacing_mm3 / 1000, abs=1e-3)
    assert wt["delta_percent"] == pytest.approx(50.0)
    assert report["change"]["months"] == pytest.approx(91 / 30.436875, abs=0.01)
    assert wt["per_month_cm3"] == pytest.approx(wt["delta_cm3"] / (91 / 30.436875), rel=1e-3)
    assert report["current"]["enhancing_fraction_of_core"] == pytest.approx(0.5)
    assert report["current"]["non_enhancing_fraction_of_core"] == pytest.approx(0.5)
    assert [point["case"] for point in report["history"]] == [first.pk, second.pk]
    page = client.get(f"/cases/{second.pk}/volumetry/")
    assert page.status_code == 200
    assert b"<polyline" in page.content


def test_first_study_has_no_prior(project, cases_dir, annotator, client):
    client.force_login(annotator)
    case = _case(project, cases_dir, annotator, "GLI0001", date(2019, 1, 1))
    save_mask(client, case, _mask(10, 5, 0))

    report = client.get(f"/api/v1/cases/{case.pk}/volumetry/").json()

    assert report["prior"] is None and report["change"] is None
    assert report["current"]["enhancing_fraction_of_core"] == 0.0
