"""Object storage through Django's storage API: local files by default, S3 in production.

Two storages: `objects` holds de-identified data, masks and exports; `quarantine` holds raw
uploads until de-identification and is never served by any URL.
"""

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, storages


def object_storage() -> Storage:
    return storages["default"]


def quarantine_storage() -> Storage:
    return storages["quarantine"]


def sha256_file(path: Path, chunk_size: int = 1024 * 1024) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def put_bytes(storage: Storage, key: str, data: bytes) -> str:
    """Write `data` under exactly `key`, replacing what was there (retries rewrite the same key)."""
    if storage.exists(key):
        storage.delete(key)
    saved = storage.save(key, ContentFile(data))
    _check_key(key, saved)
    return saved


def put_file(storage: Storage, key: str, path: Path, *, move: bool = False) -> str:
    """Store a local file under `key` without reading it into memory.

    On local storage a file the caller owns (`move`) is renamed into place when it is on the same
    file system. Otherwise it is copied.
    """
    if isinstance(storage, FileSystemStorage):
        target = Path(storage.path(key))
        target.parent.mkdir(parents=True, exist_ok=True)
        if move:
            try:
                os.replace(path, target)
                return key
            except OSError:
                pass  # another file system: fall back to a copy
        temporary = target.with_name(target.name + ".partial")
        shutil.copyfile(path, temporary)
        temporary.replace(target)
        return key
    if storage.exists(key):
        storage.delete(key)
    with path.open("rb") as handle:
        saved = storage.save(key, File(handle))
    _check_key(key, saved)
    return saved


def put_stream(storage: Storage, key: str, stream: BinaryIO) -> str:
    if storage.exists(key):
        storage.delete(key)
    saved = storage.save(key, File(stream))
    _check_key(key, saved)
    return saved


def _check_key(expected: str, saved: str) -> None:
    if saved != expected:
        # A storage that renames on collision would break content-addressed keys.
        raise RuntimeError(f"storage saved {saved!r} instead of {expected!r}")


@contextmanager
def local_path(storage: Storage, key: str, suffix: str = "") -> Iterator[Path]:
    """Yield a local path to the object: the file itself on local storage, else a temporary copy."""
    if isinstance(storage, FileSystemStorage):
        yield Path(storage.path(key))
        return
    scratch = scratch_dir()
    with tempfile.NamedTemporaryFile(dir=scratch, suffix=suffix or Path(key).suffix) as handle:
        with storage.open(key, "rb") as source:
            shutil.copyfileobj(source, handle, 1024 * 1024)
        handle.flush()
        yield Path(handle.name)


def delete_prefix(storage: Storage, prefix: str) -> int:
    """Delete every object under `prefix` (a folder-like key ending in '/'); return the count."""
    directories, files = _listdir_safe(storage, prefix)
    count = 0
    for name in files:
        storage.delete(prefix + name)
        count += 1
    for name in directories:
        count += delete_prefix(storage, f"{prefix}{name}/")
    if isinstance(storage, FileSystemStorage):
        folder = Path(storage.path(prefix))
        if folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)
    return count


def _listdir_safe(storage: Storage, prefix: str) -> tuple[list[str], list[str]]:
    try:
        return storage.listdir(prefix)
    except FileNotFoundError:
        return [], []


def scratch_dir() -> Path:
    path = Path(settings.SCRATCH_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextmanager
def scratch_folder(prefix: str) -> Iterator[Path]:
    """A temporary folder under SCRATCH_DIR, removed afterwards whatever happens."""
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=scratch_dir()))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def uploaded_file_path(upload: Any) -> Iterator[Path]:
    """Yield a local path of an uploaded file: Django's temporary file, or a scratch copy of a
    small upload that Django kept in memory. The copy keeps the upload's suffixes (.nii.gz)."""
    temporary = getattr(upload, "temporary_file_path", None)
    if temporary is not None:
        yield Path(temporary())
        return
    suffix = "".join(Path(upload.name).suffixes[-2:])
    with tempfile.NamedTemporaryFile(dir=scratch_dir(), suffix=suffix) as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
        handle.flush()
        yield Path(handle.name)
