"""Saving masks: immutable versions, protocol checks on every save, no silent lost update."""

import gzip
import threading

import numpy as np
import pytest
from django.db import connection
from django.test import Client

from annotation_platform.annotations.models import Case, MaskVersion
from annotation_platform.annotations.services import mask_read_raw
from annotation_platform.core.models import AuditEvent
from tests.annotations.conftest import brats2023_to_bitmask, label_map, mask_payload, save_mask

pytestmark = pytest.mark.django_db


@pytest.fixture
def annotator_client(client, annotator):
    client.force_login(annotator)
    return client


def test_first_save_creates_version_one_with_figures(ready_case, annotator_client, cases_dir):
    mask = brats2023_to_bitmask(label_map(cases_dir, "mask_v1_base"))

    response = save_mask(annotator_client, ready_case, mask)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"] == 1
    assert body["figures"]["regions"]["WT"]["voxels"] == 144
    assert body["figures"]["regions"]["TC"]["voxels"] == 144
    assert body["figures"]["regions"]["NET"]["voxels"] == 144
    assert len(body["figures"]["lesions"]) == 1
    ready_case.refresh_from_db()
    assert ready_case.state == Case.State.ANNOTATING
    assert ready_case.latest_version.number == 1


def test_saved_voxels_come_back_exactly(ready_case, annotator_client, cases_dir):
    mask = brats2023_to_bitmask(label_map(cases_dir, "mask_reference_merge_B_then_A"))
    version_id = save_mask(annotator_client, ready_case, mask).json()["id"]

    response = annotator_client.get(f"/api/v1/masks/{version_id}/data/")

    assert response["Content-Encoding"] == "gzip"
    raw = gzip.decompress(
        b"".join(response.streaming_content) if response.streaming else response.content
    )
    back = np.frombuffer(raw, dtype=np.uint8).reshape(mask.shape, order="F")
    assert np.array_equal(back, mask)


def test_stale_save_is_rejected_with_the_newer_version(ready_case, annotator_client, cases_dir):
    """C25: A and B start from v1; B saves v2; A's save on v1 gets 409 naming v2; nothing lost."""
    v1 = save_mask(
        annotator_client, ready_case, brats2023_to_bitmask(label_map(cases_dir, "mask_v1_base"))
    ).json()
    b_mask = brats2023_to_bitmask(label_map(cases_dir, "mask_userB_adds_ED"))
    a_mask = brats2023_to_bitmask(label_map(cases_dir, "mask_userA_adds_ET_from_v1"))

    b = save_mask(annotator_client, ready_case, b_mask, base_version=v1["id"])
    a = save_mask(annotator_client, ready_case, a_mask, base_version=v1["id"])

    assert b.status_code == 201 and b.json()["number"] == 2
    assert a.status_code == 409
    body = a.json()
    assert body["code"] == "STALE_BASE_VERSION"
    assert body["current_version"]["number"] == 2
    # Both saves came from the same annotator, in two tabs.
    assert "You saved version 2" in body["detail"]
    assert "in another tab or window" in body["detail"]
    latest = Case.objects.get(pk=ready_case.pk).latest_version
    stored = np.frombuffer(mask_read_raw(latest), dtype=np.uint8).reshape(b_mask.shape, order="F")
    assert np.array_equal(stored, b_mask)  # B's oedema (720 voxels) kept
    assert MaskVersion.objects.filter(case=ready_case).count() == 2

    merged = brats2023_to_bitmask(label_map(cases_dir, "mask_reference_merge_B_then_A"))
    c = save_mask(annotator_client, ready_case, merged, base_version=body["current_version"]["id"])

    assert c.status_code == 201 and c.json()["number"] == 3
    figures = c.json()["figures"]["regions"]
    assert (figures["ET"]["voxels"], figures["WT"]["voxels"]) == (48, 144 + 672 + 48)
    versions = AuditEvent.objects.filter(action="mask.saved").values_list(
        "details__version", flat=True
    )
    assert sorted(versions) == [1, 2, 3]


@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_on_one_base_store_exactly_one(ready_case, annotator, cases_dir):
    base = brats2023_to_bitmask(label_map(cases_dir, "mask_v1_base"))
    first = Client()
    first.force_login(annotator)
    v1 = save_mask(first, ready_case, base).json()["id"]
    results: list[int] = []

    def save(mask):
        client = Client()
        client.force_login(annotator)
        results.append(save_mask(client, ready_case, mask, base_version=v1).status_code)
        connection.close()

    threads = [
        threading.Thread(target=save, args=(brats2023_to_bitmask(label_map(cases_dir, name)),))
        for name in ("mask_userB_adds_ED", "mask_userA_adds_ET_from_v1")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == [201, 409]
    assert MaskVersion.objects.filter(case=ready_case).count() == 2


def test_wrong_length_is_refused_with_the_grid(ready_case, annotator_client):
    response = save_mask(annotator_client, ready_case, np.zeros((10, 10, 10), np.uint8))

    assert response.status_code == 400
    assert response.json()["code"] == "MASK_SIZE_MISMATCH"
    assert "32x32x16" in response.json()["detail"]
    assert not MaskVersion.objects.exists()


def test_damaged_payload_is_refused(ready_case, annotator_client, cases_dir):
    mask = brats2023_to_bitmask(label_map(cases_dir, "mask_v1_base"))
    _, checksum = mask_payload(mask)
    other = mask.copy()
    other[0, 0, 0] = 1

    response = save_mask(annotator_client, ready_case, other, checksum=checksum)

    assert response.status_code == 400
    assert response.json()["code"] == "MASK_CHECKSUM_MISMATCH"


def test_values_outside_the_region_bits_are_refused(ready_case, annotator_client):
    mask = np.zeros((32, 32, 16), np.uint8)
    mask[5, 5, 5] = 64

    response = save_mask(annotator_client, ready_case, mask)

    assert response.status_code == 400
    assert response.json()["code"] == "MASK_INVALID_VALUES"


def test_nesting_violation_stays_visible(ready_case, annotator_client):
    mask = np.zeros((32, 32, 16), np.uint8)
    mask[10:14, 10:14, 5:7] = 1  # WT
    mask[20:22, 20:22, 5] = 2  # TC outside WT

    figures = save_mask(annotator_client, ready_case, mask).json()["figures"]

    violation = figures["violations"][0]
    assert (violation["key"], violation["voxels"]) == ("TC_outside_WT", 4)
    assert violation["example_ijk"][2] == 5
    assert figures["regions"]["TC"]["voxels"] == 4


def test_override_needs_a_reason(ready_case, annotator_client):
    mask = np.zeros((32, 32, 16), np.uint8)

    refused = save_mask(
        annotator_client,
        ready_case,
        mask,
        overrides='[{"region": "WT", "sequence": "T2", "reason": ""}]',
    )
    accepted = save_mask(
        annotator_client,
        ready_case,
        mask,
        overrides='[{"region": "WT", "sequence": "T2", "reason": "FLAIR has motion artefact"}]',
    )

    assert refused.status_code == 400 and refused.json()["code"] == "MASK_OVERRIDE_INVALID"
    assert accepted.status_code == 201
    assert accepted.json()["overrides"][0]["reason"] == "FLAIR has motion artefact"


def test_restore_makes_an_old_version_the_newest(ready_case, annotator_client, cases_dir):
    v1 = save_mask(
        annotator_client, ready_case, brats2023_to_bitmask(label_map(cases_dir, "mask_v1_base"))
    ).json()
    v2 = save_mask(
        annotator_client, ready_case, np.zeros((32, 32, 16), np.uint8), base_version=v1["id"]
    ).json()

    response = annotator_client.post(
        f"/api/v1/cases/{ready_case.pk}/masks/{v1['id']}/restore/", {"base_version": v2["id"]}
    )

    assert response.status_code == 201
    assert response.json()["number"] == 3
    assert response.json()["checksum"] == v1["checksum"]
    assert response.json()["source"] == "restored"


def test_versions_are_immutable(ready_case, annotator_client):
    save_mask(annotator_client, ready_case, np.zeros((32, 32, 16), np.uint8))
    version = MaskVersion.objects.get()

    version.figures = {}
    with pytest.raises(PermissionError):
        version.save()


def test_xor_delta_save_reconstructs_the_mask(ready_case, annotator_client, cases_dir):
    base = brats2023_to_bitmask(label_map(cases_dir, "mask_v1_base"))
    v1 = save_mask(annotator_client, ready_case, base).json()
    new = brats2023_to_bitmask(label_map(cases_dir, "mask_userB_adds_ED"))
    delta = np.bitwise_xor(base, new)
    _, checksum = mask_payload(new)
    payload, _ = mask_payload(delta)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = annotator_client.post(
        f"/api/v1/cases/{ready_case.pk}/masks/",
        {
            "mask": SimpleUploadedFile("d.gz", payload),
            "encoding": "gzip",
            "kind": "xor-delta",
            "checksum": checksum,
            "base_version": v1["id"],
        },
    )

    assert response.status_code == 201, response.content
    assert response.json()["checksum"] == checksum


def test_someone_else_cannot_save(ready_case, client, second_annotator):
    client.force_login(second_annotator)

    response = save_mask(client, ready_case, np.zeros((32, 32, 16), np.uint8))

    assert response.status_code == 404


def test_crop_save_and_crop_load_round_trip(ready_case, annotator_client, cases_dir):
    from django.core.files.uploadedfile import SimpleUploadedFile

    mask = brats2023_to_bitmask(label_map(cases_dir, "mask_reference_merge_B_then_A"))
    box = (4, 6, 2, 30, 28, 14)
    crop = mask[box[0] : box[3], box[1] : box[4], box[2] : box[5]]
    assert crop.sum() == mask.sum()  # the box holds every labelled voxel
    _, checksum = mask_payload(mask)
    payload = gzip.compress(np.asfortranarray(crop).tobytes(order="F"))

    saved = annotator_client.post(
        f"/api/v1/cases/{ready_case.pk}/masks/",
        {
            "mask": SimpleUploadedFile("c.gz", payload),
            "kind": "crop",
            "crop": ",".join(map(str, box)),
            "checksum": checksum,
        },
    )

    assert saved.status_code == 201, saved.content
    version = saved.json()
    assert version["checksum"] == checksum
    tight = version["crop"]
    response = annotator_client.get(f"/api/v1/masks/{version['id']}/data/?encoding=crop")
    assert response["X-Mask-Crop"] == ",".join(map(str, tight))
    inside = np.frombuffer(gzip.decompress(response.content), np.uint8).reshape(
        (tight[3] - tight[0], tight[4] - tight[1], tight[5] - tight[2]), order="F"
    )
    assert np.array_equal(
        inside, mask[tight[0] : tight[3], tight[1] : tight[4], tight[2] : tight[5]]
    )


def test_crop_outside_the_grid_is_refused(ready_case, annotator_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = annotator_client.post(
        f"/api/v1/cases/{ready_case.pk}/masks/",
        {
            "mask": SimpleUploadedFile("c.gz", gzip.compress(b"")),
            "kind": "crop",
            "crop": "0,0,0,40,10,10",
        },
    )

    assert response.status_code == 400
    assert response.json()["code"] == "MASK_CROP_INVALID"
