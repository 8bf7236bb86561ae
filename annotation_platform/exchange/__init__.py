"""Mask exchange: import label maps and segmentations onto a study's reference grid, export them.

Pure package: its modules import no Django models or settings. Conventions used throughout:

- A study's annotation is one uint8 bitmask on the reference grid, in NIfTI voxel order (array
  indexed [i, j, k], x fastest on disk), with one bit per drawn region of the label protocol.
- World coordinates are NIfTI RAS+ millimetres. DICOM and Slicer's .seg.nrrd use LPS, and each
  reader and writer converts where it touches those formats (flip the signs of x and y).

Modules:
- `regions`: the protocol's region algebra. `conventions`: label values to regions and back.
- `segments`: named segments to the bitmask. `voxel_values`: integer labels from any storage.
- `geometry`: fitting an array onto the reference grid.
- `nifti`, `seg_nrrd`, `dicom_seg`: readers and encoders per format.
- `layouts`: the writers (region files, BraTS and nnU-Net folders, segmentation files).
- `targets`: folder or zip output. `naming`: file-system-safe names.
- `terminology`: codes and colours. `results`: return types.
"""
