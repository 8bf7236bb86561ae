"""Writers of small synthetic MR DICOM series for the series and conversion tests.

Other test modules import `write_slice`, `write_stack` and `write_enhanced` from here; the tests
at the end check that the writers produce what they promise. Every slice's pixels hold its
instance number times 10, so a test can tell which file a voxel layer came from.
"""

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence as DicomSequence
from pydicom.uid import ExplicitVRLittleEndian, MRImageStorage, generate_uid

from annotation_platform.imaging.dicom_headers import read_headers

AXIAL = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0)
SAGITTAL = (0.0, 1.0, 0.0, 0.0, 0.0, -1.0)
CORONAL = (1.0, 0.0, 0.0, 0.0, 0.0, -1.0)
ENHANCED_MR_STORAGE = "1.2.840.10008.5.1.4.1.1.4.1"


def _base_dataset(sop_class_uid: str, series_uid: str, series_number: int) -> Dataset:
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = sop_class_uid
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    dataset = Dataset()
    dataset.file_meta = meta
    dataset.SOPClassUID = sop_class_uid
    dataset.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    dataset.Modality = "MR"
    dataset.Manufacturer = "QA-Synthetic"
    dataset.PatientPosition = "HFS"
    dataset.StudyInstanceUID = "1.2.826.0.1.3680043.8.498.1"
    dataset.SeriesInstanceUID = series_uid
    dataset.SeriesNumber = series_number
    dataset.EchoTime = 10
    dataset.RepetitionTime = 500
    dataset.MagneticFieldStrength = 3
    dataset.SamplesPerPixel = 1
    dataset.PhotometricInterpretation = "MONOCHROME2"
    dataset.BitsAllocated = 16
    dataset.BitsStored = 16
    dataset.HighBit = 15
    dataset.PixelRepresentation = 1
    return dataset


def write_slice(
    path: Path,
    *,
    series_uid: str,
    position: Sequence[float],
    orientation: Sequence[float] = AXIAL,
    instance: int = 1,
    series_number: int = 1,
    rows: int = 16,
    columns: int = 16,
    pixel_spacing: tuple[float, float] = (1.0, 1.0),
    image_type: Sequence[str] = ("ORIGINAL", "PRIMARY", "M", "ND"),
    attributes: dict[str, Any] | None = None,
) -> Path:
    """Write one classic MR Image Storage slice; `attributes` sets further keywords."""
    dataset = _base_dataset(MRImageStorage, series_uid, series_number)
    dataset.InstanceNumber = instance
    dataset.ImageType = list(image_type)
    dataset.MRAcquisitionType = "2D"
    dataset.ImagePositionPatient = [float(value) for value in position]
    dataset.ImageOrientationPatient = [float(value) for value in orientation]
    dataset.PixelSpacing = [float(pixel_spacing[0]), float(pixel_spacing[1])]
    dataset.SliceThickness = 1.0
    dataset.Rows = rows
    dataset.Columns = columns
    for keyword, value in (attributes or {}).items():
        setattr(dataset, keyword, value)
    pixels = np.full((rows, columns), instance * 10, dtype=np.int16)
    dataset.PixelData = pixels.tobytes()
    dataset.save_as(path, enforce_file_format=True)
    return path


def stack_positions(
    count: int,
    *,
    spacing_mm: float = 3.0,
    origin: Sequence[float] = (-8.0, -8.0, -15.0),
    orientation: Sequence[float] = AXIAL,
    sideways_mm_per_slice: Sequence[float] = (0.0, 0.0, 0.0),
) -> list[tuple[float, float, float]]:
    """Return positions spaced along the slice normal, optionally shifted sideways (tilt)."""
    normal = np.cross(orientation[:3], orientation[3:])
    start = np.asarray(origin, dtype=float)
    shift = np.asarray(sideways_mm_per_slice, dtype=float)
    return [tuple(start + index * (spacing_mm * normal + shift)) for index in range(count)]


def write_stack(
    folder: Path,
    positions: Iterable[Sequence[float]],
    *,
    series_uid: str | None = None,
    first_instance: int = 1,
    **slice_options: Any,
) -> list[Path]:
    """Write one slice per position as IM0001.dcm, IM0002.dcm, ... and return the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    series_uid = series_uid or generate_uid()
    paths = []
    for offset, position in enumerate(positions):
        instance = first_instance + offset
        path = folder / f"IM{instance:04d}.dcm"
        write_slice(
            path, series_uid=series_uid, position=position, instance=instance, **slice_options
        )
        paths.append(path)
    return paths


def write_enhanced(
    path: Path,
    positions: Sequence[Sequence[float]],
    *,
    orientation: Sequence[float] = AXIAL,
    series_uid: str | None = None,
    rows: int = 16,
    columns: int = 16,
) -> Path:
    """Write an Enhanced MR Image Storage file with one frame per position."""
    dataset = _base_dataset(ENHANCED_MR_STORAGE, series_uid or generate_uid(), 1)
    dataset.InstanceNumber = 1
    dataset.ImageType = ["ORIGINAL", "PRIMARY", "T1", "NONE"]
    dataset.MRAcquisitionType = "3D"
    dataset.Rows = rows
    dataset.Columns = columns
    dataset.NumberOfFrames = len(positions)

    measures = Dataset()
    measures.PixelSpacing = [1.0, 1.0]
    measures.SliceThickness = 1.0
    plane = Dataset()
    plane.ImageOrientationPatient = [float(value) for value in orientation]
    shared = Dataset()
    shared.PixelMeasuresSequence = DicomSequence([measures])
    shared.PlaneOrientationSequence = DicomSequence([plane])
    dataset.SharedFunctionalGroupsSequence = DicomSequence([shared])

    frames = []
    for position in positions:
        frame_position = Dataset()
        frame_position.ImagePositionPatient = [float(value) for value in position]
        frame = Dataset()
        frame.PlanePositionSequence = DicomSequence([frame_position])
        frames.append(frame)
    dataset.PerFrameFunctionalGroupsSequence = DicomSequence(frames)

    pixels = np.arange(len(positions) * rows * columns, dtype=np.int16)
    dataset.PixelData = pixels.tobytes()
    dataset.save_as(path, enforce_file_format=True)
    return path


def test_written_stack_reads_back_with_its_geometry(tmp_path: Path) -> None:
    positions = stack_positions(4, spacing_mm=2.5, orientation=SAGITTAL)
    write_stack(tmp_path, positions, orientation=SAGITTAL, pixel_spacing=(0.5, 0.75))

    headers = sorted(read_headers(tmp_path), key=lambda header: header.instance_number or 0)

    assert [header.position for header in headers] == positions
    assert headers[0].orientation == SAGITTAL
    assert headers[0].pixel_spacing_mm == (0.5, 0.75)
    assert len({header.series_instance_uid for header in headers}) == 1


def test_written_slice_pixels_encode_instance_number(tmp_path: Path) -> None:
    path = write_slice(
        tmp_path / "one.dcm", series_uid=generate_uid(), position=(0, 0, 0), instance=7
    )

    assert np.all(pydicom.dcmread(path).pixel_array == 70)


def test_written_enhanced_file_has_per_frame_positions(tmp_path: Path) -> None:
    positions = stack_positions(5, spacing_mm=1.5)
    path = write_enhanced(tmp_path / "enhanced.dcm", positions)

    (header,) = read_headers([path])

    assert header.is_enhanced
    assert header.number_of_frames == 5
    assert header.frame_positions == tuple(positions)
    assert header.frame_orientations == (AXIAL,) * 5
