"""Cases and mask versions: creating cases, saving, restoring and reading masks.

Saving is optimistic: the client names the version its edit started from, and the save is
rejected with the newer version when that is no longer the latest, so no edit ever silently
overwrites another. The check and the insert run under a row lock on the case.
"""

import logging
import time
from typing import Any

import numpy as np
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from annotation_platform.accounts.models import User
from annotation_platform.accounts.qualifications import qualification_for
from annotation_platform.annotations.figures import compute_figures
from annotation_platform.annotations.masks import (
    as_mask,
    box_shape,
    check_bits,
    crop_bytes,
    expand,
    gzip_bytes,
    inflate_bounded,
    parse_box,
    sha256_hex,
)
from annotation_platform.annotations.models import Case, MaskVersion
from annotation_platform.annotations.workflow import apply_transition
from annotation_platform.core.audit import audit_record
from annotation_platform.core.storage import object_storage, put_bytes
from annotation_platform.errors import ActionableError, ConflictError, gettext_noop
from annotation_platform.imaging.extent import bounding_box
from annotation_platform.projects.models import Membership
from annotation_platform.quality.services import require_quality
from annotation_platform.studies.models import Study

logger = logging.getLogger(__name__)


def case_ensure_for_study(study: Study) -> Case:
    """Return the study's case, creating it (and auto-assigning it when the project does)."""
    case, created = Case.objects.get_or_create(study=study, defaults={"project": study.project})
    if created:
        audit_record(
            actor=None, action="case.created", target=f"case:{case.pk}", project=study.project
        )
        if study.project.auto_assign:
            case_auto_assign(case)
    return case


def case_auto_assign(case: Case) -> Case | None:
    """Assign the case to the qualified annotator of its project with the fewest open cases."""
    definition = case.project.protocol_version.definition
    annotators = [
        membership.user
        for membership in Membership.objects.filter(
            project=case.project, role=Membership.Role.ANNOTATOR
        ).select_related("user")
        if qualification_for(membership.user, "annotator", definition).qualified
    ]
    if not annotators:
        return None
    open_states = [Case.State.NEW, Case.State.ANNOTATING, Case.State.REJECTED]
    load = dict(
        Case.objects.filter(assignee__in=annotators, state__in=open_states)
        .values_list("assignee")
        .annotate(count=Count("id"))
    )
    chosen = min(annotators, key=lambda user: (load.get(user.pk, 0), user.pk))
    Case.objects.filter(pk=case.pk).update(assignee=chosen, assigned_at=timezone.now())
    case.assignee = chosen
    audit_record(
        actor=None,
        action="case.assigned",
        target=f"case:{case.pk}",
        project=case.project,
        assignee=chosen.pk,
        automatic=True,
    )
    return case


def allowed_bits(definition: dict[str, Any]) -> int:
    bits = 0
    for region in definition["regions"]:
        bits |= region.get("bit", 0)
    return bits


def case_grid(case: Case) -> dict[str, Any]:
    grid = case.study.grid
    if not grid:
        raise ActionableError(
            "CASE_NOT_READY",
            gettext_noop("Case %(case)s has no reference grid yet; wait until its study is ready."),
            case=case.label,
        )
    return grid


def mask_version_save(
    *,
    case: Case,
    user: User,
    payload: bytes,
    encoding: str,
    kind: str,
    checksum: str,
    base_version_id: int | None,
    overrides: list[dict[str, Any]],
    crop: str | list[int] | None = None,
    source: str = MaskVersion.Source.DRAWN,
    details: dict[str, Any] | None = None,
    restored_from: MaskVersion | None = None,
) -> MaskVersion:
    """Save a new mask version on top of `base_version_id`; raise 409 if that is not the latest.

    `kind` is full (the whole grid), crop (only the voxels in the box `crop`, zeros outside) or
    xor-delta (the whole grid, XOR the base version). The version is stored as its tight crop.
    """
    started = time.perf_counter()
    require_quality(case.study, require_graded=False, action="annotated")
    grid = case_grid(case)
    shape = tuple(int(n) for n in grid["shape"][:3])
    definition = case.project.protocol_version.definition
    volume = _decode(case, payload, encoding, kind, crop, shape, base_version_id)
    flat = volume.reshape(-1, order="F")
    actual = sha256_hex(memoryview(flat))
    if checksum and checksum.lower() != actual:
        raise ActionableError(
            "MASK_CHECKSUM_MISMATCH",
            gettext_noop(
                "The mask arrived damaged: its SHA-256 is %(actual)s, not %(expected)s. Save again."
            ),
            actual=actual,
            expected=checksum,
        )
    box, inside = crop_bytes(volume, bounding_box(volume))
    check_bits(np.frombuffer(inside, dtype=np.uint8), allowed_bits(definition))
    _check_overrides(overrides, definition)
    figures = compute_figures(flat, shape=shape, affine=grid["affine"], definition=definition)
    stored = gzip_bytes(inside)
    key = f"masks/{actual}.crop.gz"
    storage = object_storage()
    if not storage.exists(key):
        put_bytes(storage, key, stored)
    checks_ms = (time.perf_counter() - started) * 1000.0
    version = _insert_version(
        case=case,
        user=user,
        base_version_id=base_version_id,
        object_key=key,
        checksum=actual,
        raw_bytes=int(flat.size),
        stored_bytes=len(stored),
        shape=list(shape),
        crop=list(box),
        overrides=overrides,
        figures=figures,
        checks_ms=checks_ms,
        source=source,
        details=details or {},
        restored_from=restored_from,
    )
    logger.info(
        "case %s version %s saved by user %s (%d bytes stored, %.1f ms)",
        case.pk,
        version.number,
        user.pk,
        len(stored),
        checks_ms,
    )
    return version


def _decode(
    case: Case,
    payload: bytes,
    encoding: str,
    kind: str,
    crop: str | list[int] | None,
    shape: tuple[int, ...],
    base_version_id: int | None,
) -> np.ndarray:
    if kind == "crop":
        box = parse_box(crop if crop is not None else "", shape)
        inside = inflate_bounded(payload, box_shape(box), encoding) if all(box_shape(box)) else b""
        return expand(shape, box, inside)
    if kind not in ("full", "xor-delta"):
        raise ActionableError(
            "MASK_KIND_UNKNOWN",
            gettext_noop("Mask kind %(kind)s is not supported; use full, crop or xor-delta."),
            kind=kind,
        )
    raw = inflate_bounded(payload, shape, encoding)
    if kind == "xor-delta":
        raw = _apply_delta(case, base_version_id, raw)
    return as_mask(raw).reshape(shape, order="F")


def _apply_delta(case: Case, base_version_id: int | None, delta: bytes) -> bytes:
    if base_version_id is None:
        return delta
    base = MaskVersion.objects.filter(pk=base_version_id, case=case).first()
    if base is None:
        raise _stale(case)
    base_raw = mask_read_raw(base)
    return np.bitwise_xor(as_mask(base_raw), as_mask(delta)).tobytes()


def _check_overrides(overrides: list[dict[str, Any]], definition: dict[str, Any]) -> None:
    drawn = {r["key"] for r in definition["regions"] if "derived" not in r}
    for override in overrides:
        if override.get("region") not in drawn or not str(override.get("reason", "")).strip():
            raise ActionableError(
                "MASK_OVERRIDE_INVALID",
                gettext_noop(
                    "Painting %(region)s on %(sequence)s instead of its prescribed sequence needs "
                    "a reason. Enter one in the viewer and save again."
                ),
                region=str(override.get("region", "")),
                sequence=str(override.get("sequence", "")),
            )


def _insert_version(
    *, case: Case, user: User, base_version_id: int | None, **fields: Any
) -> MaskVersion:
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if locked.latest_version_id != base_version_id:
            raise _stale(locked, user)
        previous_state = locked.state
        if locked.state != Case.State.ANNOTATING:
            apply_transition(locked, "start")
        number = (locked.latest_version.number if locked.latest_version else 0) + 1
        version = MaskVersion.objects.create(
            case=locked, number=number, author=user, base_id=base_version_id, **fields
        )
        locked.latest_version = version
        locked.save(update_fields=["latest_version", "state", "updated_at"])
        audit_record(
            actor=user,
            action="mask.saved",
            target=f"case:{locked.pk}",
            project=locked.project,
            version=version.number,
            version_id=version.pk,
            base_version_id=base_version_id,
            checksum=version.checksum,
            source=version.source,
        )
        if previous_state != locked.state:
            audit_record(
                actor=user,
                action="case.state_changed",
                target=f"case:{locked.pk}",
                project=locked.project,
                before=previous_state,
                after=locked.state,
                version=version.number,
            )
    case.latest_version = version
    case.state = locked.state
    return version


def _stale(case: Case, user: User | None = None) -> ConflictError:
    latest = case.latest_version
    if latest is not None and user is not None and latest.author_id == user.pk:
        # The same annotator in another tab or window: "someone" would send them looking for a
        # colleague.
        template = gettext_noop(
            "You saved version %(current)s of case %(case)s in another tab or window after this "
            "page loaded its version, so this save was not stored. Your strokes are kept: reload "
            "the newer version, or merge your changes into it, and save again."
        )
    else:
        template = gettext_noop(
            "Someone saved version %(current)s of case %(case)s after you started editing, so "
            "your save was not stored. Your strokes are kept: reload the newer version, or merge "
            "your changes into it, and save again."
        )
    return ConflictError(
        "STALE_BASE_VERSION",
        template,
        case=case.label,
        current=latest.number if latest else 0,
        current_version_id=latest.pk if latest else None,
    )


def mask_read_crop(version: MaskVersion) -> bytes:
    """Read the stored voxels of the version's crop box (F order)."""
    box = tuple(version.crop)
    if not all(box_shape(box)):  # type: ignore[arg-type]
        return b""
    with object_storage().open(version.object_key, "rb") as handle:
        payload = handle.read()
    return inflate_bounded(payload, box_shape(box), "gzip")  # type: ignore[arg-type]


def mask_read_volume(version: MaskVersion) -> np.ndarray:
    """Read the version's whole mask: F-contiguous uint8 on the reference grid."""
    shape = tuple(int(n) for n in version.shape)
    return expand(shape, tuple(version.crop), mask_read_crop(version))  # type: ignore[arg-type]


def mask_read_raw(version: MaskVersion) -> bytes:
    """Read the version's whole mask as raw bytes in NIfTI order."""
    return mask_read_volume(version).tobytes(order="F")


def mask_version_restore(
    *, case: Case, user: User, version: MaskVersion, base_version_id: int | None
) -> MaskVersion:
    """Save a copy of an earlier version as the newest one."""
    with object_storage().open(version.object_key, "rb") as handle:
        payload = handle.read()
    return mask_version_save(
        case=case,
        user=user,
        payload=payload,
        encoding="gzip",
        kind="crop",
        crop=version.crop,
        checksum=version.checksum,
        base_version_id=base_version_id,
        overrides=version.overrides,
        source=MaskVersion.Source.RESTORED,
        details={"restored_number": version.number},
        restored_from=version,
    )
