"""Structural checks of a zip file that run before Python's zipfile module parses it.

zipfile loads the whole central directory and builds one object per record, whatever the
end-of-central-directory record declares, and it accepts entries whose data overlap (the
"overlapping files" zip bomb reuses one compressed block for thousands of entries). These
functions count the records with bounded memory and check that entry data do not overlap.
Field layouts follow the PKWARE APPNOTE, sections 4.3.7 (local header), 4.3.12 (central
directory record), 4.3.14-4.3.16 (zip64 and classic end records).
"""

import struct
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

END_RECORD = struct.Struct("<4s4H2LH")
END_RECORD_SIGNATURE = b"PK\x05\x06"
ZIP64_LOCATOR = struct.Struct("<4sLQL")
ZIP64_LOCATOR_SIGNATURE = b"PK\x06\x07"
ZIP64_END_RECORD = struct.Struct("<4sQ2H2L4Q")
ZIP64_END_RECORD_SIGNATURE = b"PK\x06\x06"
CENTRAL_RECORD = struct.Struct("<4s4B4HL2L5H2L")
CENTRAL_RECORD_SIGNATURE = b"PK\x01\x02"
LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
LOCAL_HEADER_SIGNATURE = b"PK\x03\x04"
MAX_COMMENT_BYTES = 0xFFFF


class ZipStructureError(Exception):
    """The zip file is damaged, or built to mislead readers."""


@dataclass(frozen=True)
class CentralDirectory:
    """Position and size of the central directory, as the end records declare them."""

    start: int
    size: int
    declared_entries: int


def locate_central_directory(stream: BinaryIO, file_size: int) -> CentralDirectory:
    """Read the end records, the way zipfile does, and return the central directory's place.

    Raises ZipStructureError when no end record exists, when the archive spans several disks, or
    when data precede the archive (self-extracting programs, concatenated files).
    """
    tail_size = min(file_size, END_RECORD.size + MAX_COMMENT_BYTES)
    stream.seek(file_size - tail_size)
    tail = stream.read(tail_size)
    position = tail.rfind(END_RECORD_SIGNATURE)
    if position < 0 or position + END_RECORD.size > len(tail):
        raise ZipStructureError("no end of central directory record")
    end_offset = file_size - tail_size + position
    fields = END_RECORD.unpack_from(tail, position)
    _, disk, directory_disk, _, entries, size, offset, _ = fields
    if disk or directory_disk:
        raise ZipStructureError("archive spans several disks")

    zip64 = _read_zip64_end_record(stream, end_offset)
    if zip64 is not None:
        entries, size, offset = zip64
        end_offset -= ZIP64_END_RECORD.size + ZIP64_LOCATOR.size

    start = end_offset - size
    if start != offset or start < 0:
        raise ZipStructureError("data before the archive or a wrong central directory offset")
    return CentralDirectory(start=start, size=size, declared_entries=entries)


def count_central_records(stream: BinaryIO, directory: CentralDirectory, stop_after: int) -> int:
    """Count the records of the central directory, stopping once the count passes `stop_after`.

    Reads one fixed-size record header at a time, so memory stays small however many records
    the directory holds.
    """
    stream.seek(directory.start)
    end = directory.start + directory.size
    position = directory.start
    count = 0
    while position < end and count <= stop_after:
        header = stream.read(CENTRAL_RECORD.size)
        if len(header) < CENTRAL_RECORD.size:
            raise ZipStructureError("truncated central directory")
        fields = CENTRAL_RECORD.unpack(header)
        if fields[0] != CENTRAL_RECORD_SIGNATURE:
            raise ZipStructureError("bad central directory record signature")
        name_length, extra_length, comment_length = fields[12:15]
        position += CENTRAL_RECORD.size + name_length + extra_length + comment_length
        stream.seek(position)
        count += 1
    return count


def check_entry_spans(stream: BinaryIO, infos: list[zipfile.ZipInfo], directory_start: int) -> None:
    """Raise ZipStructureError unless the first entry starts the file and each entry's data lie
    apart and before the directory.

    Reads each local header to find where the entry's data start.
    """
    spans = sorted((_entry_span(stream, info) for info in infos), key=lambda span: span[0])
    if spans and spans[0][0] != 0:
        raise ZipStructureError("data before the first entry")
    previous_end = 0
    for header_offset, data_end in spans:
        if header_offset < previous_end:
            raise ZipStructureError("entries overlap")
        previous_end = data_end
    if previous_end > directory_start:
        raise ZipStructureError("entry data run into the central directory")


def _entry_span(stream: BinaryIO, info: zipfile.ZipInfo) -> tuple[int, int]:
    stream.seek(info.header_offset)
    header = stream.read(LOCAL_HEADER.size)
    if len(header) < LOCAL_HEADER.size:
        raise ZipStructureError("truncated local header")
    fields = LOCAL_HEADER.unpack(header)
    if fields[0] != LOCAL_HEADER_SIGNATURE:
        raise ZipStructureError("bad local header signature")
    name_length, extra_length = fields[10:12]
    data_start = info.header_offset + LOCAL_HEADER.size + name_length + extra_length
    return info.header_offset, data_start + info.compress_size


def _read_zip64_end_record(stream: BinaryIO, end_offset: int) -> tuple[int, int, int] | None:
    """Return (entries, directory size, directory offset) from the zip64 end record, if any."""
    locator_offset = end_offset - ZIP64_LOCATOR.size
    if locator_offset < 0:
        return None
    stream.seek(locator_offset)
    signature, disk, _, total_disks = ZIP64_LOCATOR.unpack(stream.read(ZIP64_LOCATOR.size))
    if signature != ZIP64_LOCATOR_SIGNATURE:
        return None
    if disk or total_disks > 1:
        raise ZipStructureError("archive spans several disks")
    record_offset = locator_offset - ZIP64_END_RECORD.size
    if record_offset < 0:
        raise ZipStructureError("truncated zip64 end record")
    stream.seek(record_offset)
    fields = ZIP64_END_RECORD.unpack(stream.read(ZIP64_END_RECORD.size))
    if fields[0] != ZIP64_END_RECORD_SIGNATURE:
        raise ZipStructureError("bad zip64 end record signature")
    return fields[7], fields[8], fields[9]
