"""Safe intake of uploads: DICOM files (also .dcm.gz), zip archives of them, and NIfTI files.

Every upload is checked here, synchronously and before anything is stored: file kinds are
recognised from content, archives and gzip files are expanded with bounded byte counts, and DICOM
and NIfTI headers are checked without reading pixel data. scan_upload is the entry point for the
Django layer. The package imports no Django, so services, tasks and commands can all call it.
"""

from annotation_platform.imaging.intake.archives import (
    ArchiveEntry,
    ExtractedFile,
    extract_archive,
    inspect_archive,
)
from annotation_platform.imaging.intake.dicom_input import DicomCheck, check_dicom
from annotation_platform.imaging.intake.gzip_files import gunzip_bounded
from annotation_platform.imaging.intake.limits import ByteBudget, IntakeLimits
from annotation_platform.imaging.intake.nifti_input import NiftiCheck, check_nifti
from annotation_platform.imaging.intake.nifti_sanitize import sanitize_nifti
from annotation_platform.imaging.intake.problems import Problem
from annotation_platform.imaging.intake.scan import AcceptedFile, IntakeReport, scan_upload
from annotation_platform.imaging.intake.sniff import FileKind, sniff

__all__ = [
    "AcceptedFile",
    "ArchiveEntry",
    "ByteBudget",
    "DicomCheck",
    "ExtractedFile",
    "FileKind",
    "IntakeLimits",
    "IntakeReport",
    "NiftiCheck",
    "Problem",
    "check_dicom",
    "check_nifti",
    "extract_archive",
    "gunzip_bounded",
    "inspect_archive",
    "sanitize_nifti",
    "scan_upload",
    "sniff",
]
