"""Settings for `make test`: PostgreSQL and Redis, as in production, and a temporary data folder."""

import os
import tempfile
import uuid

# The suite runs against the real services of this machine unless the environment names others.
# The worker that the suite starts inherits these variables, so both use one data folder.
# A run id keeps concurrent runs on one machine apart: each gets its own test database, Redis key
# prefix and data folder.
RUN_ID = os.environ.setdefault("TEST_RUN_ID", uuid.uuid4().hex[:10])
os.environ.setdefault("DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/annotation_{RUN_ID}")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/11")
# The suite deletes its data folder when it ends, so it never takes APP_DATA_DIR from the
# environment, where it may name the folder of a running platform.
if "APP_TEST_DATA_DIR" not in os.environ:
    os.environ["APP_TEST_DATA_DIR"] = tempfile.mkdtemp(prefix=f"annotation-test-{RUN_ID}-")
os.environ["APP_DATA_DIR"] = os.environ["APP_TEST_DATA_DIR"]

from annotation_platform.settings.base import *  # noqa: E402, F403
from annotation_platform.settings.base import (  # noqa: E402
    CELERY_BROKER_TRANSPORT_OPTIONS,
    STORAGES,
)

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] = f"test-{RUN_ID}:"
