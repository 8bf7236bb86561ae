"""The members page reports stale or invalid form values instead of failing."""

import pytest

from annotation_platform.projects.models import Membership

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("membership", ["999999", "abc", ""])
def test_remove_unknown_membership(admin_client, project, membership):
    before = Membership.objects.filter(project=project).count()

    response = admin_client.post(
        f"/projects/{project.pk}/members/",
        {"action": "remove", "membership": membership},
        follow=True,
    )

    assert response.status_code == 200
    assert "is not in this project" in response.content.decode()
    assert Membership.objects.filter(project=project).count() == before


def test_verify_unknown_user(admin_client, project):
    response = admin_client.post(
        f"/projects/{project.pk}/members/",
        {"action": "verify", "user": "999999", "practice_started_on": "2000-01-01"},
        follow=True,
    )

    assert response.status_code == 200
    assert "User 999999 does not exist" in response.content.decode()


def test_verify_member_still_works(admin_client, project, annotator):
    response = admin_client.post(
        f"/projects/{project.pk}/members/",
        {"action": "verify", "user": str(annotator.pk), "practice_started_on": "2001-02-03"},
        follow=True,
    )

    assert response.status_code == 200
    annotator.refresh_from_db()
    assert str(annotator.practice_started_on) == "2001-02-03"
