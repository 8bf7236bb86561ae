"""Running dcm2niix: finding the binary, reading its messages, outputs, progress and failures."""

import shutil
import sys
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest
from pydicom.uid import generate_uid

from annotation_platform.errors import ActionableError
from annotation_platform.imaging.convert import convert_series
from annotation_platform.imaging.dcm2niix_runner import ConverterOutput, find_dcm2niix
from annotation_platform.imaging.dicom_headers import read_headers
from annotation_platform.imaging.dicom_series import group_series
from tests.imaging.test_series_synthetic import stack_positions, write_stack

# A stand-in for dcm2niix: it reports the given version, writes an axial 16x16 NIfTI with the
# given number of slices as <-o>/volume.nii, prints the message, sleeps, exits with the exit
# code and leaves a marker file so a test can tell whether it ran.
FAKE_DCM2NIIX = """#!{python}
import sys, time
from pathlib import Path
import numpy as np, nibabel as nib
if "--version" in sys.argv:
    print("v{version}")
    sys.exit(3)
Path("{marker}").write_text("ran")
out = Path(sys.argv[sys.argv.index("-o") + 1])
nib.save(nib.Nifti1Image(np.zeros((16, 16, {slices}), np.int16), np.eye(4)), out / "volume.nii")
print({message!r}, flush=True)
time.sleep({sleep})
sys.exit({exit_code})
"""


def fake_dcm2niix(
    folder: Path,
    *,
    version: str = "1.0.20260724",
    message: str = "",
    sleep: float = 0,
    exit_code: int = 0,
    slices: int = 11,
) -> Path:
    script = folder / f"dcm2niix-{version}-{exit_code}"
    script.write_text(
        FAKE_DCM2NIIX.format(
            python=sys.executable,
            version=version,
            marker=folder / "ran.txt",
            message=message,
            sleep=sleep,
            exit_code=exit_code,
            slices=slices,
        )
    )
    script.chmod(0o755)
    return script


def converter_output(lines: list[str], work_dir: Path, exit_code: int = 0) -> ConverterOutput:
    return ConverterOutput(
        folder=work_dir / "out", exit_code=exit_code, lines=lines, work_dir=work_dir
    )


def test_missing_dcm2niix_raises_actionable_error(tmp_path: Path) -> None:
    with pytest.raises(ActionableError) as caught:
        find_dcm2niix(tmp_path / "absent" / "dcm2niix")

    assert caught.value.code == "DCM2NIIX_NOT_FOUND"
    assert "pip install dcm2niix==" in caught.value.message


def test_old_dcm2niix_is_refused(tmp_path: Path) -> None:
    old = fake_dcm2niix(tmp_path, version="1.0.20220720")

    with pytest.raises(ActionableError) as caught:
        find_dcm2niix(old)

    assert caught.value.code == "DCM2NIIX_TOO_OLD"
    assert caught.value.params["found"] == "1.0.20220720"


def test_installed_dcm2niix_is_found_next_to_interpreter() -> None:
    binary = find_dcm2niix()

    assert binary == Path(sys.executable).parent / "dcm2niix"


@pytest.mark.parametrize(
    ("line", "code"),
    [
        (
            "Warning: Interslice distance varies in this volume (incompatible with NIfTI format).",
            "CONVERTER_UNEVEN_SLICES",
        ),
        (
            "Warning: Missing images? Expected 11 images, but instance number (0020,0013) "
            "ranges from 1 to 12",
            "CONVERTER_UNEVEN_SLICES",
        ),
        (
            "Warning: Bogus spatial matrix (perhaps non-spatial image): inspect spatial "
            "orientation.",
            "CONVERTER_GEOMETRY_UNKNOWN",
        ),
        (
            "Warning: Note these images have gantry tilt of -15 degrees (manufacturer ID = 0)",
            "CONVERTER_GANTRY_TILT",
        ),
    ],
)
def test_fatal_converter_message_is_raised(line: str, code: str, tmp_path: Path) -> None:
    output = converter_output(["Found 11 DICOM file(s)", line], tmp_path)

    with pytest.raises(ActionableError) as caught:
        output.check(series_number=7)

    assert caught.value.code == code
    assert caught.value.params["series_number"] == 7
    assert caught.value.params["detail"] == line


def test_other_converter_warnings_are_surfaced(tmp_path: Path) -> None:
    lines = [
        "Warning: Empty protocol name(s) (0018,1030)",
        "Warning: Unable to determine manufacturer (0008,0070), so conversion is not tuned "
        "for vendor.",
        f"Warning: Check slice timing in {tmp_path}/in/000001.dcm",
        "Convert 12 DICOM as out/volume (16x16x12x1)",
    ]

    warnings = converter_output(lines, tmp_path).check(series_number=1)

    assert warnings == [
        {
            "code": "CONVERTER_WARNING",
            "template": "dcm2niix reported: %(detail)s",
            "params": {"detail": "Warning: Check slice timing in in/000001.dcm"},
        }
    ]


def test_converter_error_exit_is_raised(tmp_path: Path) -> None:
    output = converter_output(["Error: Unable to decode JPEG"], tmp_path, exit_code=1)

    with pytest.raises(ActionableError) as caught:
        output.check(series_number=2)

    assert caught.value.code == "CONVERSION_FAILED"
    assert caught.value.params["exit_code"] == 1
    assert caught.value.params["detail"] == "Error: Unable to decode JPEG"


def test_volume_flagged_by_dcm2niix_is_never_returned(tmp_path: Path) -> None:
    # The synthetic stack is even, so only dcm2niix's own message can reject it.
    write_stack(tmp_path / "dicom", stack_positions(11))
    fake = fake_dcm2niix(tmp_path, message="Warning: Missing images? Expected 11 images")
    out_dir = tmp_path / "out"

    with pytest.raises(ActionableError) as caught:
        convert_series(tmp_path / "dicom", out_dir, executable=fake)

    assert caught.value.code == "CONVERTER_UNEVEN_SLICES"
    assert (tmp_path / "ran.txt").exists()
    assert not out_dir.exists() or not any(out_dir.iterdir())


def test_output_with_wrong_slice_count_is_discarded(tmp_path: Path) -> None:
    write_stack(tmp_path / "dicom", stack_positions(11))
    fake = fake_dcm2niix(tmp_path, slices=10)
    out_dir = tmp_path / "out"

    with pytest.raises(ActionableError) as caught:
        convert_series(tmp_path / "dicom", out_dir, executable=fake)

    assert caught.value.code == "CONVERTER_SLICE_COUNT_MISMATCH"
    assert caught.value.params["written"] == 10
    assert caught.value.params["expected"] == 11
    assert not out_dir.exists()


def test_missing_slice_is_rejected_before_dcm2niix_runs(cases_dir: Path, tmp_path: Path) -> None:
    fake = fake_dcm2niix(tmp_path)

    with pytest.raises(ActionableError) as caught:
        convert_series(cases_dir / "C05/dicom", tmp_path / "out", executable=fake)

    assert caught.value.code == "NONUNIFORM_SLICE_SPACING"
    assert not (tmp_path / "ran.txt").exists()
    assert not (tmp_path / "out").exists()


def test_slow_dcm2niix_times_out(tmp_path: Path) -> None:
    write_stack(tmp_path / "dicom", stack_positions(11))
    fake = fake_dcm2niix(tmp_path, sleep=60)

    with pytest.raises(ActionableError) as caught:
        convert_series(tmp_path / "dicom", tmp_path / "out", executable=fake, timeout_s=1)

    assert caught.value.code == "CONVERSION_TIMED_OUT"


def test_progress_is_reported_in_order(tmp_path: Path) -> None:
    write_stack(tmp_path / "dicom", stack_positions(8))
    reports: list[tuple[float, str]] = []

    convert_series(
        tmp_path / "dicom",
        tmp_path / "out",
        lambda fraction, stage: reports.append((fraction, stage)),
    )

    fractions = [fraction for fraction, _ in reports]
    stages = [stage for _, stage in reports]
    assert reports[0] == (0.0, "checking")
    assert reports[-1] == (1.0, "done")
    assert fractions == sorted(fractions)
    assert {"converting", "cleaning"} <= set(stages)
    assert all(0.0 <= fraction <= 1.0 for fraction in fractions)


def test_echoes_are_returned_with_first_echo_as_primary(tmp_path: Path) -> None:
    series_uid = generate_uid()
    positions = stack_positions(6)
    write_stack(
        tmp_path / "dicom",
        positions,
        series_uid=series_uid,
        attributes={"EchoNumbers": 1, "EchoTime": 10},
    )
    write_stack(
        tmp_path / "dicom",
        positions,
        series_uid=series_uid,
        first_instance=7,
        attributes={"EchoNumbers": 2, "EchoTime": 40},
    )

    result = convert_series(tmp_path / "dicom", tmp_path / "out")

    assert result.primary.name == "volume_e1.nii"
    assert [path.name for path in result.others] == ["volume_e2.nii"]
    assert result.sidecar["EchoTime"] == 0.01
    assert result.is_3d
    assert (tmp_path / "out/volume_e2.json").exists()
    second = np.asanyarray(nib.load(result.others[0]).dataobj)
    assert np.all(second[..., 0] == 70)


def test_output_names_ignore_input_file_names(tmp_path: Path) -> None:
    paths = write_stack(tmp_path / "dicom", stack_positions(5))
    for index, path in enumerate(paths):
        shutil.move(path, path.with_name(f"Qian_Xiaoming_{index}.dcm"))

    result = convert_series(tmp_path / "dicom", tmp_path / "out", stem="t1")

    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == ["t1.json", "t1.nii"]
    assert result.primary == tmp_path / "out/t1.nii"


def test_folder_with_two_series_needs_grouping_first(tmp_path: Path) -> None:
    write_stack(tmp_path / "dicom/a", stack_positions(5), series_number=1)
    write_stack(tmp_path / "dicom/b", stack_positions(6, spacing_mm=2.0), series_number=2)

    with pytest.raises(ActionableError) as caught:
        convert_series(tmp_path / "dicom", tmp_path / "out")
    groups = group_series(read_headers(tmp_path / "dicom"))
    results = [convert_series(group, tmp_path / f"out{group.series_number}") for group in groups]

    assert caught.value.code == "MULTIPLE_SERIES"
    assert [result.shape for result in results] == [(16, 16, 5), (16, 16, 6)]
    assert [result.spacing_mm[2] for result in results] == pytest.approx([3.0, 2.0])


def test_voxel_layers_follow_slice_positions(tmp_path: Path) -> None:
    # Instance numbers run against position, so a wrong sort would reverse the layers.
    positions = stack_positions(6)
    for index, position in enumerate(positions):
        write_stack(tmp_path / "dicom", [position], series_uid="1.2.3.4", first_instance=60 - index)

    result = convert_series(tmp_path / "dicom", tmp_path / "out")

    image = nib.load(result.primary)
    voxels = np.asanyarray(image.dataobj)
    for layer in range(6):
        world_z = (image.affine @ [0, 0, layer, 1])[2]
        instance = voxels[0, 0, layer] // 10
        # Layer at RAS z belongs to the slice written at LPS z (same axis sign for z).
        assert positions[60 - instance][2] == pytest.approx(world_z)


def test_stem_with_placeholder_is_rejected(tmp_path: Path) -> None:
    write_stack(tmp_path / "dicom", stack_positions(3))

    with pytest.raises(ValueError, match="stem must match"):
        convert_series(tmp_path / "dicom", tmp_path / "out", stem="%n_%p")
