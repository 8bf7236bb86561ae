"""Settings for `make run`: one machine, SQLite and local files unless the environment says
otherwise."""

from annotation_platform.settings.base import *  # noqa: F403
from annotation_platform.settings.env import env_bool

DEBUG = env_bool("DJANGO_DEBUG", True)

# SQLite cannot create the folder of its database file, and `migrate` comes first on a new machine.
DATA_DIR.mkdir(parents=True, exist_ok=True)  # noqa: F405
