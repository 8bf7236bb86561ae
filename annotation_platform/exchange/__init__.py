"""Mask exchange: import label maps and segmentations onto a study's reference grid, export them.

Pure package: no Django. Conventions used throughout:

- A study's annotation is one uint8 bitmask on the reference grid, in NIfTI voxel order (array
  indexed [i, j, k], x fastest on disk), with one bit per drawn region of the label protocol.
- World coordinates are NIfTI RAS+ millimetres. DICOM and Slicer's .seg.nrrd use LPS; each
  reader and writer converts where it touches those formats (flip the signs of x and y).
- Modules: `regions` (protocol region algebra), `conventions` (label values <-> regions),
  `geometry` (fitting an array onto the reference grid), `nifti`, `seg_nrrd` and `dicom_seg`
  (readers and writers per format), `layouts` (BraTS and nnU-Net folders, region files),
  `targets` (folder or zip output), `naming` (file-system-safe names), `results` (return types).
"""
