"""The image records: stored slices are read back through the station folder, never outside it."""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("pydicom", reason="the image tests need the 'images' extra")

from neurohlh.station.images.pixels import slice_values, stored_path  # noqa: E402

pytestmark = pytest.mark.django_db


def test_stored_slices_read_back_rescaled_and_in_order(imaged_study):
    series = imaged_study["series"]
    assert [s.kind for s in series] == ["T2", "FLAIR", "DWI", "ADC", "T1", "T1_post", "SWI"]
    t2 = series[0]
    slices = list(t2.slices.all())
    assert [s.index for s in slices] == list(range(6)) == list(range(t2.slice_count))
    values = slice_values(slices[2])
    assert values.shape == (t2.rows, t2.columns) and values.dtype == np.float32
    assert values.max() == 3600 + 2 * 3  # the phantom's CSF on T2 plus its slice gradient; slope 1, intercept 0
    slices[2].rescale_slope, slices[2].rescale_intercept = 2.0, -10.0
    assert slice_values(slices[2]).max() == 2 * 3606 - 10


def test_a_stored_path_cannot_leave_the_station_folder():
    with pytest.raises(ValueError, match="outside the station folder"):
        stored_path("../../etc/passwd")
