"""Consistent UID replacement: one project secret, one replacement per original UID."""

import hashlib
import hmac
from collections.abc import Callable
from typing import Final

from pydicom.uid import UID_dictionary

from annotation_platform.errors import ActionableError, gettext_noop

DICOM_ROOT: Final = "1.2.840.10008."
MIN_SECRET_BYTES: Final = 16


def is_well_known_uid(uid: str) -> bool:
    """Return True for UIDs the standard defines (SOP classes, transfer syntaxes, coding schemes).

    They name things, not patients or studies, and replacing them would make files unreadable.
    """
    return uid.startswith(DICOM_ROOT) or uid in UID_dictionary


def uid_replacer(secret: bytes) -> Callable[[str], str]:
    """Return a function that maps a UID to its replacement under `secret`.

    The replacement is "2.25." followed by the decimal value of the first 16 bytes of
    HMAC-SHA256(secret, original UID): the same secret and UID give the same replacement in every
    file and upload, so references between files still resolve, and without the secret the
    original cannot be recovered or confirmed. Well-known UIDs are returned unchanged. Raises
    ActionableError(DEID_SECRET_TOO_SHORT) for a secret of fewer than 16 bytes.
    """
    if len(secret) < MIN_SECRET_BYTES:
        raise ActionableError(
            "DEID_SECRET_TOO_SHORT",
            gettext_noop(
                "The project's UID secret has %(length)s bytes; it needs at least %(minimum)s. "
                "Generate a new random secret for the project."
            ),
            length=len(secret),
            minimum=MIN_SECRET_BYTES,
        )
    cache: dict[str, str] = {}

    def replace(uid: str) -> str:
        uid = uid.strip("\0 ")
        if not uid or is_well_known_uid(uid):
            return uid
        replacement = cache.get(uid)
        if replacement is None:
            digest = hmac.new(secret, uid.encode("utf-8", "surrogatepass"), hashlib.sha256).digest()
            replacement = "2.25." + str(int.from_bytes(digest[:16], "big"))
            cache[uid] = replacement
        return replacement

    return replace
