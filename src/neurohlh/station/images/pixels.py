"""Pixel values of a stored slice, for rendering (the stored files are uncompressed, little endian)."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from django.conf import settings

if TYPE_CHECKING:
    from neurohlh.station.images.models import ImageSlice


def stored_path(relative: str) -> Path:
    """The file of a stored path (relative to the station folder); refuses a path leaving the folder."""
    root = Path(settings.STATION_DIR).resolve()
    path = (root / relative).resolve()
    if not path.is_relative_to(root):
        raise ValueError(f"{relative}: outside the station folder")
    return path


def slice_values(image_slice: ImageSlice) -> np.ndarray:
    """The slice's rescaled values (``stored * slope + intercept``) as float32, shape (rows, columns)."""
    from pydicom.pixels import pixel_array

    raw = pixel_array(stored_path(image_slice.path), index=image_slice.frame)
    values = raw.astype(np.float32)
    if image_slice.rescale_slope != 1.0:
        values *= np.float32(image_slice.rescale_slope)
    if image_slice.rescale_intercept != 0.0:
        values += np.float32(image_slice.rescale_intercept)
    return values
