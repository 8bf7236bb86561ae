"""The API publishes its OpenAPI schema, and every route of the API is in it."""

import pytest
import yaml

EXPECTED_PATHS = [
    "/api/v1/projects/",
    "/api/v1/projects/{project_id}/uploads/",
    "/api/v1/studies/",
    "/api/v1/studies/{study_id}/",
    "/api/v1/series/{series_id}/",
    "/api/v1/jobs/",
    "/api/v1/protocols/",
    "/api/v1/cases/{case_id}/masks/",
]


@pytest.mark.django_db
def test_schema_lists_the_api(admin_client):
    response = admin_client.get("/api/schema/")

    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    for path in EXPECTED_PATHS:
        assert path in schema["paths"], path
