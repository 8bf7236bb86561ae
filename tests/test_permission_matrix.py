"""Every endpoint of the OpenAPI schema, for every role, on the caller's own project and on a
foreign one. An endpoint missing from the matrix fails the test, so a new endpoint must state who
may use it."""

import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.utils import timezone

from annotation_platform.annotations.services import case_ensure_for_study
from annotation_platform.cohorts.services import cohort_create
from annotation_platform.core.models import Job
from annotation_platform.projects.models import Membership
from annotation_platform.projects.services import project_create
from annotation_platform.review.services import case_submit
from annotation_platform.studies.models import Upload
from tests.annotations.conftest import brats2023_to_bitmask, label_map, make_ready_study, save_mask
from tests.conftest import _user

ANY = {"site_admin", "project_admin", "annotator", "other_annotator", "reviewer", "outsider"}
ADMINS = {"site_admin", "project_admin"}
CASE_READERS = ADMINS | {"annotator", "reviewer"}
LIST = "list"  # every signed-in user may call it; the test checks nothing foreign leaks

MATRIX: dict[tuple[str, str], set[str] | str] = {
    ("GET", "/api/v1/audit/"): ADMINS,
    ("GET", "/api/v1/cases/"): LIST,
    ("GET", "/api/v1/cases/{case_id}/"): CASE_READERS,
    ("POST", "/api/v1/cases/{case_id}/assign/"): ADMINS,
    ("GET", "/api/v1/cases/{case_id}/comments/"): CASE_READERS,
    ("GET", "/api/v1/cases/{case_id}/decisions/"): CASE_READERS,
    ("POST", "/api/v1/cases/{case_id}/exclude/"): ADMINS | {"annotator"},
    ("POST", "/api/v1/cases/{case_id}/heartbeat/"): CASE_READERS,
    ("POST", "/api/v1/cases/{case_id}/include/"): ADMINS,
    ("GET", "/api/v1/cases/{case_id}/masks/"): CASE_READERS,
    # The case is submitted: nobody may save or restore until a reviewer sends it back.
    ("POST", "/api/v1/cases/{case_id}/masks/"): set(),
    ("POST", "/api/v1/cases/{case_id}/masks/{version_id}/restore/"): set(),
    ("POST", "/api/v1/cases/{case_id}/masks/import/"): set(),
    ("POST", "/api/v1/cases/{case_id}/recall/"): {"annotator"},
    ("POST", "/api/v1/cases/{case_id}/review/decision/"): {"site_admin", "reviewer"},
    ("POST", "/api/v1/cases/{case_id}/review/start/"): {"site_admin", "reviewer"},
    ("POST", "/api/v1/cases/{case_id}/submit/"): {"annotator"},
    ("GET", "/api/v1/cases/{case_id}/volumes/{sequence}.nii.gz"): CASE_READERS,
    ("GET", "/api/v1/cases/{case_id}/quality/"): CASE_READERS,
    # Once submitted, the grades are part of the review: only admins change them.
    ("PUT", "/api/v1/cases/{case_id}/series/{series_id}/quality/"): ADMINS,
    ("GET", "/api/v1/cases/{case_id}/volumetry/"): CASE_READERS,
    ("GET", "/api/v1/cohorts/{cohort_id}/"): ADMINS,
    ("POST", "/api/v1/cohorts/{cohort_id}/assign/"): ADMINS,
    ("GET", "/api/v1/exports/{export_id}/"): ADMINS,
    ("GET", "/api/v1/exports/{export_id}/download/"): ADMINS,
    ("GET", "/api/v1/jobs/"): LIST,
    ("GET", "/api/v1/jobs/{job_id}/"): ADMINS,
    ("POST", "/api/v1/jobs/{job_id}/retry/"): ADMINS,
    ("GET", "/api/v1/masks/{version_id}/"): CASE_READERS,
    ("GET", "/api/v1/masks/{version_id}/data/"): CASE_READERS,
    ("GET", "/api/v1/people/"): ADMINS,
    ("PUT", "/api/v1/people/{user_id}/evidence/"): ADMINS,
    ("PUT", "/api/v1/people/{user_id}/experience/"): ADMINS,
    ("GET", "/api/v1/projects/"): LIST,
    ("POST", "/api/v1/projects/"): {"site_admin"},
    ("GET", "/api/v1/projects/{project_id}/"): ADMINS,
    ("PATCH", "/api/v1/projects/{project_id}/"): ADMINS,
    ("POST", "/api/v1/projects/{project_id}/case-candidates/"): ADMINS,
    ("GET", "/api/v1/projects/{project_id}/cohorts/"): ADMINS,
    ("POST", "/api/v1/projects/{project_id}/cohorts/"): ADMINS,
    ("GET", "/api/v1/projects/{project_id}/dashboard/"): ADMINS,
    ("PUT", "/api/v1/projects/{project_id}/irb-document/"): ADMINS,
    ("GET", "/api/v1/projects/{project_id}/members/"): ADMINS,
    ("POST", "/api/v1/projects/{project_id}/members/"): ADMINS,
    ("GET", "/api/v1/projects/{project_id}/exports/"): ADMINS,
    ("POST", "/api/v1/projects/{project_id}/exports/"): ADMINS,
    ("DELETE", "/api/v1/projects/{project_id}/members/{membership_id}/"): ADMINS,
    ("POST", "/api/v1/projects/{project_id}/uploads/"): ADMINS,
    ("GET", "/api/v1/protocols/"): LIST,
    ("GET", "/api/v1/protocols/{key}/{version}/"): ANY,
    ("GET", "/api/v1/series/{series_id}/"): ADMINS,
    ("PATCH", "/api/v1/series/{series_id}/"): ADMINS,
    ("GET", "/api/v1/series/{series_id}/thumbnail/"): ADMINS,
    ("GET", "/api/v1/studies/"): LIST,
    ("GET", "/api/v1/studies/{study_id}/"): ADMINS,
    ("GET", "/api/v1/uploads/"): LIST,
    ("GET", "/api/v1/uploads/{upload_id}/"): ADMINS,
    ("GET", "/api/v1/worklist/"): LIST,
}

CHECKLIST = {
    "no_ageing_wmh_as_oedema": True,
    "all_lesions_annotated": True,
    "image_quality_acceptable": True,
    "tumour_in_scope": True,
}


def _world(project, cases_dir, annotator, other_annotator, label, project_name=None):
    """One project's objects: a submitted case with a version, a cohort, an upload, a job."""
    study = make_ready_study(project, cases_dir, label)
    case = case_ensure_for_study(study)
    case.assignee = annotator
    case.save()
    client = Client()
    client.force_login(annotator)
    version = save_mask(
        client, case, brats2023_to_bitmask(label_map(cases_dir, "mask_v1_base"))
    ).json()
    case_submit(case=case, user=annotator, version_id=version["id"], checklist=CHECKLIST)
    cohort = cohort_create(
        project=project, name=f"{label} cohort", cases=[case], created_by=project.created_by
    )
    upload = Upload.objects.create(
        project=project, created_by=project.created_by, source="api", state="done"
    )
    job = Job.objects.create(
        kind="prepare",
        key=f"prepare:study:{study.pk}:x",
        group=f"study:{study.pk}",
        state=Job.State.FAILED,
        payload={"study_id": study.pk, "revision": 0},
    )
    membership = Membership.objects.get(project=project, user=other_annotator, role="annotator")
    from annotation_platform.exports.models import Export

    export = Export.objects.create(project=project, format="nifti", convention="brats-2023")
    series = study.series.first()
    series.thumbnail_key = "thumbnails/matrix.png"
    series.save()
    from annotation_platform.core.storage import object_storage, put_bytes

    put_bytes(object_storage(), series.thumbnail_key, b"\x89PNG\r\n\x1a\n")
    return {
        "project_id": project.pk,
        "case_id": case.pk,
        "version_id": version["id"],
        "study_id": study.pk,
        "series_id": series.pk,
        "export_id": export.pk,
        "cohort_id": cohort.pk,
        "upload_id": upload.pk,
        "job_id": job.pk,
        "membership_id": membership.pk,
        "user_id": other_annotator.pk,
        "sequence": "FLAIR",
        "key": "cns-tumour",
        "version": "1.0.0",
    }


@pytest.fixture
def worlds(project, cases_dir, annotator, second_annotator, cns_protocol):
    own = _world(project, cases_dir, annotator, second_annotator, "GLI0001")
    zed = _user("zed_foreign", years=15)
    yan = _user("yan_foreign", years=8)
    xia = _user("xia_foreign", years=8)
    foreign = project_create(
        name="Foreign cohort project",
        protocol_version=cns_protocol,
        created_by=zed,
        pseudonym_prefix="FOR",
        irb_number="IRB-F",
        irb_body="Other board",
        irb_valid_until=timezone.localdate() + timedelta(days=30),
    )
    for user in (yan, xia):
        Membership.objects.create(project=foreign, user=user, role="annotator")
    return {"own": own, "foreign": _world(foreign, cases_dir, yan, xia, "FOR0001")}


@pytest.fixture
def clients(site_admin, project_admin, annotator, second_annotator, reviewer, outsider):
    users = {
        "site_admin": site_admin,
        "project_admin": project_admin,
        "annotator": annotator,
        "other_annotator": second_annotator,
        "reviewer": reviewer,
        "outsider": outsider,
    }
    made = {"anonymous": Client()}
    for role, user in users.items():
        made[role] = Client()
        made[role].force_login(user)
    return made


def _schema_endpoints(client) -> set[tuple[str, str]]:
    schema = json.loads(client.get("/api/schema/?format=json").content)
    return {
        (method.upper(), path)
        for path, item in schema["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    }


def _call(client, method, path, ids, group=None):
    url = path.format(**ids)
    if group:
        url += f"?group={group}"
    if method == "GET":
        return client.get(url)
    if method == "DELETE":
        return client.delete(url)
    if path.endswith(("/evidence/", "/irb-document/")):
        body = {"document": SimpleUploadedFile("approval.pdf", b"%PDF-1.4 test")}
        return client.generic(method, url, *_multipart(client, body))
    return getattr(client, method.lower())(url, {}, content_type="application/json")


def _multipart(client, body):
    from django.test.client import encode_multipart

    return encode_multipart("BoUnDaRy", body), "multipart/form-data; boundary=BoUnDaRy"


def _allowed(response) -> bool:
    return response.status_code not in (401, 403, 404)


@pytest.mark.django_db
def test_every_endpoint_is_in_the_matrix(clients):
    assert _schema_endpoints(clients["site_admin"]) == set(MATRIX)


@pytest.mark.django_db
def test_permission_matrix(worlds, clients):
    failures = []
    for (method, path), allowed in MATRIX.items():
        for role, client in clients.items():
            for where in ("own", "foreign"):
                ids = worlds[where]
                group = f"study:{ids['study_id']}" if path == "/api/v1/jobs/" else None
                with transaction.atomic():
                    response = _call(client, method, path, ids, group)
                    transaction.set_rollback(True)
                failure = _judge(method, path, role, where, allowed, response)
                if failure:
                    failures.append(failure)
    assert not failures, "\n".join(failures)


FOREIGN_MARKERS = ("FOR0001", "Foreign cohort project", "_foreign")


def _judge(method, path, role, where, allowed, response):
    label = f"{method} {path} as {role} on {where}: HTTP {response.status_code}"
    if role == "anonymous":
        return None if response.status_code in (401, 403) else label + " (anonymous got in)"
    if "{" not in path.replace("{key}", "").replace("{version}", "") or "{key}" in path:
        where = "own"  # not scoped to a project: the foreign run repeats the own one
    if allowed == LIST:
        if response.status_code != 200:
            return label + " (list refused)"
        body = response.content.decode("utf-8", "replace")
        leaked = role != "site_admin" and any(marker in body for marker in FOREIGN_MARKERS)
        foreign_jobs = (
            path == "/api/v1/jobs/" and where == "foreign" and role != "site_admin" and body != "[]"
        )
        return label + " (foreign data listed)" if leaked or foreign_jobs else None
    expected = role in allowed and (where == "own" or role == "site_admin")
    if _allowed(response) != expected:
        return label + (" (should be refused)" if not expected else " (should be allowed)")
    if response.status_code == 200 and role != "site_admin" and not response.streaming:
        body = response.content.decode("utf-8", "replace")
        if any(marker in body for marker in FOREIGN_MARKERS):
            return label + " (foreign data in the response)"
    return None
