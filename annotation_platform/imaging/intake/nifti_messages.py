"""Errors that NIfTI checks raise; every message names the file and the next step."""

from annotation_platform.errors import ActionableError, gettext_noop


def unreadable(name: str) -> ActionableError:
    return ActionableError(
        "NIFTI_UNREADABLE",
        gettext_noop(
            "%(name)s is not a readable NIfTI-1 or NIfTI-2 file: its header is missing or "
            "damaged. Save the volume again from the program that made it and upload the new file."
        ),
        name=name,
    )


def pair_unsupported(name: str) -> ActionableError:
    return ActionableError(
        "NIFTI_PAIR_UNSUPPORTED",
        gettext_noop(
            "%(name)s is the header of a NIfTI pair (.hdr with a separate .img). Convert the pair "
            "to one .nii or .nii.gz file, for example with nibabel or 3D Slicer, and upload that."
        ),
        name=name,
    )


def bad_vox_offset(name: str, vox_offset: float, minimum: int) -> ActionableError:
    return ActionableError(
        "NIFTI_UNREADABLE",
        gettext_noop(
            "%(name)s has an invalid vox_offset of %(vox_offset)s: it must be a whole number of "
            "at least %(minimum)s. Save the volume again from the program that made it."
        ),
        name=name,
        vox_offset=vox_offset,
        minimum=minimum,
    )


def bad_dimensions(name: str, dim: list[int]) -> ActionableError:
    return ActionableError(
        "NIFTI_BAD_DIMENSIONS",
        gettext_noop(
            "%(name)s has invalid dimensions in its header (dim = %(dim)s): dim[0] must be 1 to 7 "
            "and every used dimension at least 1. Save the volume again from the program that "
            "made it."
        ),
        name=name,
        dim=dim,
    )


def unsupported_dimensions(name: str, shape: str) -> ActionableError:
    return ActionableError(
        "NIFTI_UNSUPPORTED_DIMENSIONS",
        gettext_noop(
            "%(name)s has shape %(shape)s. Only 3-D volumes and 4-D series of volumes are "
            "imported: upload the volume as a 3-D or 4-D NIfTI file."
        ),
        name=name,
        shape=shape,
    )


def too_large(name: str, shape: str, voxels: int, limit: int) -> ActionableError:
    return ActionableError(
        "NIFTI_TOO_LARGE",
        gettext_noop(
            "%(name)s has shape %(shape)s, that is %(voxels)s voxels, more than the limit of "
            "%(limit)s voxels. Check that the header is right, or crop or split the volume "
            "before uploading it."
        ),
        name=name,
        shape=shape,
        voxels=voxels,
        limit=limit,
    )


def bad_voxel_size(name: str, pixdim: list[float]) -> ActionableError:
    return ActionableError(
        "NIFTI_BAD_VOXEL_SIZE",
        gettext_noop(
            "%(name)s has an invalid voxel size (pixdim = %(pixdim)s): every spatial voxel size "
            "must be a positive finite number. Fix the header, for example in 3D Slicer, and "
            "upload the file again."
        ),
        name=name,
        pixdim=pixdim,
    )


def bad_affine(name: str) -> ActionableError:
    return ActionableError(
        "NIFTI_BAD_AFFINE",
        gettext_noop(
            "%(name)s has an invalid orientation: its qform or sform contains a value that is not "
            "finite, or maps the volume onto a plane. Fix the header, for example in 3D Slicer, "
            "and upload the file again."
        ),
        name=name,
    )


def unsupported_datatype(name: str, datatype: int, datatype_name: str) -> ActionableError:
    return ActionableError(
        "NIFTI_UNSUPPORTED_DATATYPE",
        gettext_noop(
            "%(name)s stores voxels as %(datatype_name)s (datatype %(datatype)s), which is not "
            "supported. Save the volume as integers or as 32- or 64-bit floats."
        ),
        name=name,
        datatype=datatype,
        datatype_name=datatype_name,
    )


def truncated(name: str, size_bytes: int | None, required_bytes: int) -> ActionableError:
    return ActionableError(
        "NIFTI_TRUNCATED",
        gettext_noop(
            "%(name)s is truncated: its header needs %(required_bytes)s bytes of header and voxel "
            "data, but the file holds fewer. Copy or save the file again and upload the "
            "complete file."
        ),
        name=name,
        size_bytes=size_bytes,
        required_bytes=required_bytes,
    )


def compressed_data_damaged(name: str) -> ActionableError:
    return ActionableError(
        "NIFTI_UNREADABLE",
        gettext_noop(
            "%(name)s is a damaged gzip file. Compress the original .nii file again, or upload it "
            "uncompressed."
        ),
        name=name,
    )
