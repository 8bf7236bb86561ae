from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ProtocolsConfig(AppConfig):
    name = "annotation_platform.protocols"
    label = "protocols"

    def ready(self) -> None:
        from annotation_platform.protocols.services import sync_builtin_protocols

        post_migrate.connect(sync_builtin_protocols, sender=self)
