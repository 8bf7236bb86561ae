"""Errors that DICOM checks raise; every message names the file and the next step."""

from annotation_platform.errors import ActionableError, gettext_noop

DICOMDIR_SKIPPED_TEMPLATE = gettext_noop(
    "%(name)s is a DICOMDIR (a media directory, not an image) and was skipped. The image files "
    "it lists are imported when they are part of the upload."
)


def unreadable(name: str) -> ActionableError:
    return ActionableError(
        "DICOM_UNREADABLE",
        gettext_noop(
            "%(name)s is not a readable DICOM file: its header is missing or damaged. Export the "
            "image from the scanner or PACS again and upload the new file."
        ),
        name=name,
    )


def unsupported_transfer_syntax(name: str, transfer_syntax_uid: str) -> ActionableError:
    return ActionableError(
        "DICOM_UNSUPPORTED_TRANSFER_SYNTAX",
        gettext_noop(
            "%(name)s uses the Deflated Explicit VR Little Endian transfer syntax "
            "(%(transfer_syntax_uid)s), which is not accepted. Export the images uncompressed or "
            "with a JPEG transfer syntax."
        ),
        name=name,
        transfer_syntax_uid=transfer_syntax_uid,
    )


def truncated_header(name: str) -> ActionableError:
    return ActionableError(
        "DICOM_TRUNCATED",
        gettext_noop(
            "%(name)s is truncated: the file ends inside its header. Copy or export the file "
            "again and upload the complete file."
        ),
        name=name,
    )


def truncated_pixel_data(name: str) -> ActionableError:
    return ActionableError(
        "DICOM_TRUNCATED",
        gettext_noop(
            "%(name)s is truncated: its pixel data are shorter than its header declares. Copy or "
            "export the file again and upload the complete file."
        ),
        name=name,
    )


def image_without_pixels(name: str, sop_class_name: str) -> ActionableError:
    return ActionableError(
        "DICOM_NOT_AN_IMAGE",
        gettext_noop(
            "%(name)s is a %(sop_class_name)s object without pixel data, so the file is "
            "incomplete or truncated. Only images are imported: export the image again."
        ),
        name=name,
        sop_class_name=sop_class_name,
    )


def not_an_image(name: str, sop_class_name: str) -> ActionableError:
    return ActionableError(
        "DICOM_NOT_AN_IMAGE",
        gettext_noop(
            "%(name)s is a %(sop_class_name)s object, not an image. Only images are imported: "
            "remove this file from the upload."
        ),
        name=name,
        sop_class_name=sop_class_name,
    )


def missing_image_attributes(name: str) -> ActionableError:
    return ActionableError(
        "DICOM_UNREADABLE",
        gettext_noop(
            "%(name)s has pixel data but lacks valid Rows, Columns, Bits Allocated, Samples per "
            "Pixel or Number of Frames. Export the image from the scanner or PACS again."
        ),
        name=name,
    )
