"""Export targets: a folder, or a zip archive that may be a stream.

Writers hand over one file at a time, as bytes (masks, a few MB at most) or as a path to copy
in chunks (images), so an export keeps at most one case in memory.
"""

import shutil
import zipfile
from pathlib import Path, PurePosixPath
from typing import Protocol

# Members that are compressed already and would only cost time to deflate again.
COMPRESSED_SUFFIXES = (".gz", ".zip", ".zst")
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
COPY_CHUNK_BYTES = 1 << 20


class ExportTarget(Protocol):
    def write_bytes(self, name: str, data: bytes) -> None: ...

    def write_file(self, name: str, source: Path) -> None: ...


def check_member_name(name: str) -> PurePosixPath:
    """Return `name` as a relative POSIX path, rejecting absolute paths and dot components.

    Writers build names from `safe_component` parts, so a rejection here is a programming error.
    """
    parts = name.split("/")
    if "\\" in name or any(part in {"", ".", ".."} for part in parts):
        raise ValueError(f"unsafe export member name: {name!r}")
    return PurePosixPath(*parts)


class FolderTarget:
    """Writes members as files under `root`, creating folders as needed."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, name: str) -> Path:
        path = self.root.joinpath(*check_member_name(name).parts)
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def write_bytes(self, name: str, data: bytes) -> None:
        self._path(name).write_bytes(data)

    def write_file(self, name: str, source: Path) -> None:
        shutil.copyfile(source, self._path(name))


class ZipTarget:
    """Writes members into an open `zipfile.ZipFile`, which may write to an unseekable stream.

    Members get a fixed date so equal content gives equal archives. Members that are compressed
    already (.gz) are stored; bytes are deflated at level 1 and copied files at zlib's default.
    """

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive

    def _info(self, name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(str(check_member_name(name)), date_time=ZIP_DATE)
        info.external_attr = 0o644 << 16
        compressed = name.endswith(COMPRESSED_SUFFIXES)
        info.compress_type = zipfile.ZIP_STORED if compressed else zipfile.ZIP_DEFLATED
        return info

    def write_bytes(self, name: str, data: bytes) -> None:
        self.archive.writestr(self._info(name), data, compresslevel=1)

    def write_file(self, name: str, source: Path) -> None:
        info = self._info(name)
        info.file_size = source.stat().st_size
        with source.open("rb") as handle, self.archive.open(info, "w") as member:
            shutil.copyfileobj(handle, member, COPY_CHUNK_BYTES)
