"""Settings shared by every environment. Values come from the environment (see .env.example)."""

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from annotation_platform.settings.env import (
    env_bool,
    env_int,
    env_path,
    env_secret,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent

# Everything the platform writes on a single host: the SQLite database, object storage and the
# quarantine area for raw uploads. Production uses PostgreSQL and S3 instead.
DATA_DIR = env_path("APP_DATA_DIR", BASE_DIR / "var")

# Public reference material read by the demo loader, tests and benchmarks: real MRI (data/),
# failure cases (cases/) and standards as data (standards/). Code reaches it only through this.
SHARED_DIR = env_path("SHARED_DIR", BASE_DIR.parent / "shared")

SECRET_KEY = env_secret("DJANGO_SECRET_KEY") or "insecure-development-key-change-me"
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = [h for h in env_str("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "annotation_platform.core",
    "annotation_platform.accounts",
    "annotation_platform.protocols",
    "annotation_platform.projects",
    "annotation_platform.studies",
    "annotation_platform.annotations",
    "annotation_platform.cohorts",
    "annotation_platform.review",
    "annotation_platform.worklists",
    "annotation_platform.quality",
    "annotation_platform.volumetry",
    "annotation_platform.exports",
]

MIDDLEWARE = [
    "annotation_platform.core.middleware.UploadFolderMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "annotation_platform.urls"
WSGI_APPLICATION = "annotation_platform.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "annotation_platform" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "annotation_platform.core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the worker write to one SQLite file; wait for the lock instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "annotation_platform" / "locale"]
USE_I18N = True
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
# Serve the app and build folders directly too, so a run without collectstatic still has styles.
WHITENOISE_USE_FINDERS = True
# The viewer's Vite build writes here; `make build` runs it before collectstatic.
STATICFILES_DIRS = [BASE_DIR / "annotation_platform" / "static_build"]

# Object storage. Keys of immutable objects are content hashes. Raw uploads live in a separate
# quarantine storage that no URL serves and that only the de-identification job reads.
S3_BUCKET = env_str("S3_BUCKET")
if S3_BUCKET:
    _s3_options = {
        "bucket_name": S3_BUCKET,
        "endpoint_url": env_str("S3_ENDPOINT_URL") or None,
        "access_key": env_secret("S3_ACCESS_KEY_ID"),
        "secret_key": env_secret("S3_SECRET_ACCESS_KEY"),
        "region_name": env_str("S3_REGION") or None,
        "default_acl": None,
        "querystring_auth": True,
        "file_overwrite": True,
    }
    STORAGES = {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {**_s3_options, "location": "objects"},
        },
        "quarantine": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                **_s3_options,
                "bucket_name": env_str("S3_QUARANTINE_BUCKET", S3_BUCKET),
                "location": "quarantine",
            },
        },
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
    }
else:
    STORAGES = {
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": DATA_DIR / "objects", "base_url": None},
        },
        "quarantine": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": DATA_DIR / "quarantine", "base_url": None},
        },
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
    }
# Scratch space for dcm2niix, registration and archive extraction; cleaned after each job.
SCRATCH_DIR = env_path("APP_SCRATCH_DIR", DATA_DIR / "scratch")

# Upload limits. An upload is one HTTP request or one file of a bulk import.
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 2 * 1024**3)
# A zip may not declare or inflate to more than this in total, nor hold more entries.
ARCHIVE_MAX_UNCOMPRESSED_BYTES = env_int("ARCHIVE_MAX_UNCOMPRESSED_BYTES", 8 * 1024**3)
ARCHIVE_MAX_ENTRIES = env_int("ARCHIVE_MAX_ENTRIES", 100_000)
# Deflate reaches about 1:1000 at most on real data; DICOM pixel data compresses far less.
ARCHIVE_MAX_RATIO = env_int("ARCHIVE_MAX_RATIO", 200)
# A NIfTI volume whose header asks for more voxels than this is rejected before allocation.
NIFTI_MAX_VOXELS = env_int("NIFTI_MAX_VOXELS", 1024**3 // 2)
# Files and form fields (one relative path per file) of one upload request.
UPLOAD_MAX_FILES = env_int("UPLOAD_MAX_FILES", 20_000)
DATA_UPLOAD_MAX_NUMBER_FILES = UPLOAD_MAX_FILES
DATA_UPLOAD_MAX_NUMBER_FIELDS = UPLOAD_MAX_FILES + 100
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024**2
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024**2
# Uploaded files larger than FILE_UPLOAD_MAX_MEMORY_SIZE are spooled here, beside the other
# scratch files, instead of the system's shared temporary folder.
FILE_UPLOAD_TEMP_DIR = str(SCRATCH_DIR / "incoming")
# UploadFolderMiddleware creates that folder before a request body is read; settings create none.
SILENCED_SYSTEM_CHECKS = ["files.E001"]

# Processes that de-identify the files of one upload in parallel (at most the CPU count).
DEID_WORKERS = env_int("DEID_WORKERS", 2)

# Celery. Without REDIS_URL the broker is a folder on disk, so a bare machine needs no service.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
        # Longer than the longest job (registration of a large study), so that Redis does not
        # hand an unacknowledged job to a second worker while the first still runs it.
        "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT_S", 4 * 3600),
    }
else:
    CELERY_BROKER_URL = "filesystem://"
    _broker_dir = DATA_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
    }
# Job state lives on the Job row in the database, so no result backend is needed.
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
    "EXCEPTION_HANDLER": "annotation_platform.core.errors.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Brain tumour MRI annotation platform API",
    "DESCRIPTION": "Projects, ingest, studies, label protocols and background jobs.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # pydicom warns with the offending value, which can be a patient name.
        "pydicom": {"level": "ERROR"},
    },
}

# Key for the keyed hashes that make pseudonyms, replacement UIDs and date shifts. Keep it stable
# and secret: with it, a source patient id can be linked to its pseudonym; changing it starts new
# pseudonyms for patients uploaded afterwards.
DEID_SECRET = env_secret("DEID_SECRET") or SECRET_KEY
