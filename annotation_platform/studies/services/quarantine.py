"""The quarantine area: raw uploads and their manifest, read only by ingest and by admins.

Each upload's files are stored under `uploads/<upload uuid>/` with generated names; the manifest
beside them keeps each file's kind and its original relative name, which can identify a patient
and therefore never leaves quarantine storage.
"""

import json
from dataclasses import asdict, dataclass
from typing import Any

from annotation_platform.accounts.models import User
from annotation_platform.core.storage import delete_prefix, put_bytes, quarantine_storage
from annotation_platform.imaging.deid import display_names
from annotation_platform.studies.models import Upload
from annotation_platform.studies.selectors import uploads_for_admin

MANIFEST_NAME = "manifest.json"
# Names decoded per upload in the quarantine page; every file of a patient repeats its name.
NAMES_SHOWN_PER_UPLOAD = 50


@dataclass(frozen=True)
class QuarantineItem:
    index: int
    kind: str  # "dicom" or "nifti"
    key: str
    name: str  # the uploader's relative file name: may identify the patient


def manifest_write(upload: Upload, items: list[QuarantineItem], subject: str) -> None:
    body = {"subject": subject, "items": [asdict(item) for item in items]}
    put_bytes(
        quarantine_storage(),
        upload.quarantine_prefix + MANIFEST_NAME,
        json.dumps(body, ensure_ascii=False).encode("utf-8"),
    )


def manifest_read(upload: Upload) -> tuple[list[QuarantineItem], str]:
    with quarantine_storage().open(upload.quarantine_prefix + MANIFEST_NAME, "rb") as handle:
        body = json.loads(handle.read().decode("utf-8"))
    return [QuarantineItem(**item) for item in body["items"]], body.get("subject", "")


def quarantine_release(upload: Upload) -> int:
    """Delete the upload's raw files and manifest; return how many objects were deleted."""
    return delete_prefix(quarantine_storage(), upload.quarantine_prefix)


def quarantine_listing(user: User) -> list[dict[str, Any]]:
    """Uploads still held in quarantine, with the names decoded from their DICOM files.

    The names are decoded now, for this admin's page, and never stored.
    """
    storage = quarantine_storage()
    entries = []
    pending = uploads_for_admin(user).exclude(state=Upload.State.DONE)
    for upload in pending:
        if not storage.exists(upload.quarantine_prefix + MANIFEST_NAME):
            continue
        items, _ = manifest_read(upload)
        names = {}
        for item in [i for i in items if i.kind == "dicom"][:NAMES_SHOWN_PER_UPLOAD]:
            with storage.open(item.key, "rb") as handle:
                decoded = display_names(handle.read())
            names[(decoded.patient_name, decoded.institution, decoded.charset)] = decoded
        entries.append({"upload": upload, "names": list(names.values())})
    return entries
