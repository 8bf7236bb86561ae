"""Synthetic grids, masks and DICOM series for the exchange tests, built at test time."""

from pathlib import Path

import nibabel as nib
import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, MRImageStorage, generate_uid

from annotation_platform.exchange.geometry import Grid

WT, TC, ET = 1, 2, 4
LPS_TO_RAS = np.diag([-1.0, -1.0, 1.0, 1.0])


def rotation(degrees_z: float, degrees_x: float) -> np.ndarray:
    z, x = np.radians(degrees_z), np.radians(degrees_x)
    about_z = np.array([[np.cos(z), -np.sin(z), 0], [np.sin(z), np.cos(z), 0], [0, 0, 1]])
    about_x = np.array([[1, 0, 0], [0, np.cos(x), -np.sin(x)], [0, np.sin(x), np.cos(x)]])
    return about_z @ about_x


def affine_of(columns: np.ndarray, origin: tuple[float, float, float]) -> np.ndarray:
    affine = np.eye(4)
    affine[:3, :3] = columns
    affine[:3, 3] = origin
    return affine


# Study grids of awkward geometry: voxel order, obliquity and anisotropy.
AWKWARD_GRIDS = {
    "ras": Grid((24, 28, 12), affine_of(np.diag([1.0, 1.0, 2.0]), (-12, -14, -12))),
    "las": Grid((24, 28, 12), affine_of(np.diag([-1.0, 1.0, 2.0]), (11, -14, -12))),
    "lps": Grid((24, 28, 12), affine_of(np.diag([-1.0, -1.0, 2.0]), (11, 13, -12))),
    "permuted": Grid(
        (12, 24, 28),
        affine_of(np.array([[0, 1.0, 0], [0, 0, 1.0], [2.0, 0, 0]]), (-12, -14, -12)),
    ),
    "oblique": Grid(
        (24, 28, 12),
        affine_of(rotation(20, 10) @ np.diag([1.0, 1.0, 2.0]), (-10.3, -15.1, -9.7)),
    ),
    "anisotropic": Grid(
        (48, 56, 4),
        affine_of(np.diag([-0.5, -0.5, 5.0]), (11.75, 13.75, -7.5)),
    ),
}


def nested_bitmask(shape: tuple[int, int, int]) -> np.ndarray:
    """WT ⊃ TC ⊃ ET boxes, off-centre so that a mirrored or shifted mask differs."""
    bitmask = np.zeros(shape, dtype=np.uint8, order="F")
    nx, ny, nz = shape
    bitmask[nx // 6 : nx // 2, ny // 5 : ny // 2 + 2, nz // 4 : nz // 2 + 2] |= WT
    bitmask[nx // 5 : nx // 3 + 1, ny // 4 : ny // 3 + 2, nz // 4 : nz // 2 + 1] |= TC
    bitmask[nx // 5 : nx // 4 + 1, ny // 4 : ny // 3, nz // 4 : nz // 3 + 1] |= ET
    return bitmask


def violating_bitmask(shape: tuple[int, int, int]) -> np.ndarray:
    """A nested mask plus a TC voxel outside WT and an ET voxel outside TC (nesting violations)."""
    bitmask = nested_bitmask(shape)
    nx, ny, nz = shape
    bitmask[nx - 2, ny - 2, nz - 2] = TC
    bitmask[nx - 3, ny - 2, nz - 2] = WT | ET
    return bitmask


def save_nifti(path: Path, array: np.ndarray, affine: np.ndarray) -> Path:
    image = nib.Nifti1Image(array, affine)
    image.header.set_qform(affine, code=1)
    image.header.set_sform(affine, code=1)
    nib.save(image, str(path))
    return path


def world_points(indices: np.ndarray, affine: np.ndarray) -> np.ndarray:
    """RAS positions of voxel indices (n, 3), sorted so two sets compare row by row."""
    points = np.c_[indices, np.ones(len(indices))] @ np.asarray(affine).T
    rounded = np.round(points[:, :3], 3)
    return rounded[np.lexsort(rounded.T[::-1])]


def synthetic_series(grid: Grid, *, study_uid: str | None = None) -> list[Dataset]:
    """A de-identified single-frame MR series whose pixels are the voxel centres of `grid`.

    Column c, row r of image k is voxel (c, r, k): DICOM's row direction is the grid's first
    axis and its column direction the second, both converted from RAS to LPS.
    """
    lps = LPS_TO_RAS @ grid.affine  # the flip is its own inverse
    spacing = np.sqrt((lps[:3, :3] ** 2).sum(axis=0))
    orientation = [*(lps[:3, 0] / spacing[0]), *(lps[:3, 1] / spacing[1])]
    study_uid = study_uid or generate_uid()
    series_uid, frame_uid = generate_uid(), generate_uid()
    images = []
    for k in range(grid.shape[2]):
        position = (lps @ np.array([0.0, 0.0, k, 1.0]))[:3]
        images.append(
            _image(grid, k, position, orientation, spacing, (study_uid, series_uid, frame_uid))
        )
    return images


def _image(
    grid: Grid,
    k: int,
    position: np.ndarray,
    orientation: list[float],
    spacing: np.ndarray,
    uids: tuple[str, str, str],
) -> Dataset:
    columns, rows = grid.shape[0], grid.shape[1]
    image = Dataset()
    image.file_meta = FileMetaDataset()
    image.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    image.file_meta.MediaStorageSOPClassUID = MRImageStorage
    image.SOPClassUID = MRImageStorage
    image.SOPInstanceUID = generate_uid()
    image.file_meta.MediaStorageSOPInstanceUID = image.SOPInstanceUID

    image.StudyInstanceUID, image.SeriesInstanceUID, image.FrameOfReferenceUID = uids
    image.Modality = "MR"
    image.PatientName = "Synthetic^Exchange"
    image.PatientID = "SYN0001"
    image.PatientBirthDate = ""
    image.PatientSex = "O"
    image.AccessionNumber = ""
    image.StudyID = "1"
    image.StudyDate = "20200101"
    image.StudyTime = "120000"
    image.ReferringPhysicianName = ""
    image.SeriesNumber = 1
    image.InstanceNumber = k + 1

    image.ImagePositionPatient = [float(value) for value in position]
    image.ImageOrientationPatient = [float(value) for value in orientation]
    image.PixelSpacing = [float(spacing[1]), float(spacing[0])]
    image.SliceThickness = float(spacing[2])
    image.Rows, image.Columns = rows, columns

    image.SamplesPerPixel = 1
    image.PhotometricInterpretation = "MONOCHROME2"
    image.BitsAllocated = image.BitsStored = 16
    image.HighBit = 15
    image.PixelRepresentation = 0
    image.PixelData = np.zeros((rows, columns), dtype=np.uint16).tobytes()
    return image


def read_series(folder: Path) -> list[Dataset]:
    return [pydicom.dcmread(path) for path in sorted(folder.glob("*.dcm"))]
