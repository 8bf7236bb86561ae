"""Message templates for zip archive problems; every message names the archive and the fix."""

from annotation_platform.errors import gettext_noop

# Messages of the one error that rejects an archive, by the code of its most serious problem.
# Other codes use the message of that problem itself.
SUMMARY_TEMPLATES = {
    "UNSAFE_ARCHIVE_ENTRY": gettext_noop(
        "%(name)s contains %(count)s entries that cannot be extracted safely (links, or paths "
        "that leave the archive's folder), so nothing was extracted. Create the archive again "
        "from the image files only and upload it again. Entries: %(entry_names)s"
    ),
    "DUPLICATE_ARCHIVE_ENTRY": gettext_noop(
        "%(name)s contains %(count)s entries whose names equal an earlier entry's when letter "
        "case and Unicode normalization are ignored, so one file would replace another on "
        "Windows and macOS and nothing was extracted. Rename the files so that every name "
        "differs and create the archive again. Entries: %(entry_names)s"
    ),
}

UNREADABLE_TEMPLATE = gettext_noop(
    "%(name)s is not a readable zip archive: it is truncated, damaged, split into parts, or has "
    "data before its first entry. Create the archive again with a standard zip tool."
)
TOO_MANY_ENTRIES_TEMPLATE = gettext_noop(
    "%(name)s has more than %(limit)s entries, the limit for one archive. Split the images into "
    "several archives, or ask an administrator to use the import command."
)
TOO_LARGE_TEMPLATE = gettext_noop(
    "%(name)s inflates to more than %(limit_text)s, the limit for one upload. Split the images "
    "into several uploads, or ask an administrator to use the bulk import command."
)
ENTRY_TOO_LARGE_TEMPLATE = gettext_noop(
    "Entry %(entry)s in %(name)s declares %(size_bytes)s bytes, more than %(limit_text)s, the "
    "limit for one upload. Split the images into several uploads, or ask an administrator to "
    "use the bulk import command."
)
ENTRY_RATIO_TEMPLATE = gettext_noop(
    "Entry %(entry)s in %(name)s inflates from %(compressed_bytes)s to %(size_bytes)s bytes, more "
    "than %(max_ratio)s times, which real images do not. Create the archive again from the "
    "original files."
)
ARCHIVE_RATIO_TEMPLATE = gettext_noop(
    "%(name)s inflates from %(compressed_bytes)s to %(size_bytes)s bytes, more than "
    "%(max_ratio)s times, which real images do not. Create the archive again from the original "
    "files."
)
ENCRYPTED_TEMPLATE = gettext_noop(
    "Entry %(entry)s in %(name)s is encrypted. Create the archive again without a password."
)
METHOD_TEMPLATE = gettext_noop(
    "Entry %(entry)s in %(name)s uses compression method %(method)s, which is not supported. "
    "Create the archive again with standard (deflate) compression or none."
)
CORRUPT_ENTRY_TEMPLATE = gettext_noop(
    "Entry %(entry)s in %(name)s is damaged: its data do not match the size or checksum that the "
    "archive records. Create the archive again and upload it again."
)
SIZE_MISMATCH_TEMPLATE = gettext_noop(
    "Entry %(entry)s in %(name)s inflates to more than the %(declared_bytes)s bytes that the "
    "archive declares for it, so the archive is damaged or crafted. Create the archive again "
    "from the original files."
)
DUPLICATE_TEMPLATE = gettext_noop(
    "Entries %(entry)s and %(other_entry)s in %(name)s have the same name when letter case and "
    "Unicode normalization are ignored, so one would replace the other. Rename one of them and "
    "create the archive again."
)
