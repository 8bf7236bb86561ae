"""Loading label protocol files into the database."""

import logging
from pathlib import Path
from typing import Any

from django.db import transaction

from annotation_platform.errors import ConflictError, gettext_noop
from annotation_platform.protocols.definition import (
    builtin_definition_paths,
    definition_checksum,
    load_definition,
    validate_definition,
)
from annotation_platform.protocols.models import Protocol, ProtocolVersion

logger = logging.getLogger(__name__)


def protocol_publish(definition: dict[str, Any]) -> tuple[ProtocolVersion, bool]:
    """Publish a protocol version; return it and whether it is new.

    Publishing the same content again is a no-op. Different content under a published version
    number is rejected: published versions are immutable.
    """
    validate_definition(definition)
    checksum = definition_checksum(definition)
    with transaction.atomic():
        protocol, _ = Protocol.objects.get_or_create(key=definition["key"])
        existing = (
            ProtocolVersion.objects.select_for_update()
            .filter(protocol=protocol, version=definition["version"])
            .first()
        )
        if existing is not None:
            if existing.checksum != checksum:
                raise ConflictError(
                    "PROTOCOL_VERSION_IMMUTABLE",
                    gettext_noop(
                        "Protocol %(key)s version %(version)s is published and cannot change. "
                        "Publish the change as a new version."
                    ),
                    key=protocol.key,
                    version=definition["version"],
                )
            return existing, False
        version = ProtocolVersion.objects.create(
            protocol=protocol,
            version=definition["version"],
            definition=definition,
            checksum=checksum,
        )
    logger.info("published protocol %s version %s", protocol.key, version.version)
    return version, True


def protocol_load_file(path: Path) -> tuple[ProtocolVersion, bool]:
    return protocol_publish(load_definition(path))


def sync_builtin_protocols(**kwargs: Any) -> None:
    """Publish the protocols that ship with the platform (runs after every migrate)."""
    for path in builtin_definition_paths():
        protocol_load_file(path)


def protocol_latest(key: str) -> ProtocolVersion:
    return ProtocolVersion.objects.filter(protocol__key=key).latest("published_at")
