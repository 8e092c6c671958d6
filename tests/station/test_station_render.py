"""Server-side rendering of stored slices: modality LUT, window/level, PNG, the volume cache.

The expected display values are worked out by hand from DICOM PS3.3 C.11.1 (rescale) and C.11.2.1.2.1 (linear
window) and, for a real file, compared with pydicom's own implementation of the same standard.
"""
from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from neurohlh.errors import InputError
from neurohlh.station.images import render
from neurohlh.station.images.render import Volume, VolumeCache, Window

from . import dicom_phantom


def _one_slice(values: list[int], slope: float, intercept: float, **kw) -> Volume:
    return Volume(stored=np.asarray([[values]], dtype=np.int16), rescale=np.asarray([[slope, intercept]]), **kw)


def test_windowing_matches_the_hand_calculation():
    # slope 2, intercept -1024 (modality LUT): value = 2 * stored - 1024
    #   stored 1200 -> 1376;  532 -> 40;  540 -> 56;  512 -> 0;  500 -> -24;  513 -> 2;  551 -> 78;  552 -> 80
    # window centre 40, width 80 (linear): black at or below 40 - 0.5 - 79/2 = 0, white above 40 - 0.5 + 79/2 = 79,
    # between: ((value - 39.5) / 79 + 0.5) * 255, rounded half up
    #   1376 -> 255 (above 79);  -24 -> 0 and 0 -> 0 (at or below 0)
    #   40 -> (0.5/79 + 0.5) * 255 = 129.11 -> 129
    #   56 -> (16.5/79 + 0.5) * 255 = 180.76 -> 181
    #   2 -> (-37.5/79 + 0.5) * 255 = 6.46 -> 6
    #   78 -> (38.5/79 + 0.5) * 255 = 251.77 -> 252
    #   80 -> 255 (above 79)
    volume = _one_slice([1200, 532, 540, 512, 500, 513, 551, 552], 2.0, -1024.0)
    shown = volume.display(0, Window(40, 80)).ravel().tolist()
    assert shown == [255, 129, 181, 0, 0, 6, 252, 255]


def test_monochrome1_is_inverted_after_windowing():
    volume = _one_slice([532, 540, 1200], 2.0, -1024.0, monochrome1=True)
    assert volume.display(0, Window(40, 80)).ravel().tolist() == [255 - 129, 255 - 181, 0]


def test_width_one_is_a_threshold_at_the_centre():
    # width 1: black at or below c - 0.5, white above c - 0.5
    volume = _one_slice([99, 100, 101], 1.0, 0.0)
    assert volume.display(0, Window(100, 1)).ravel().tolist() == [0, 255, 255]


def test_window_from_range_maps_low_to_black_and_high_to_white():
    w = Window.from_range(100, 300)
    assert (w.center, w.width) == (200.5, 201.0)
    volume = _one_slice([99, 100, 101, 200, 299, 300, 301], 1.0, 0.0)
    # ((v - 200) / 200 + 0.5) * 255: 101 -> 1.275 -> 1; 200 -> 127.5 -> 128; 299 -> 253.7 -> 254
    assert volume.display(0, w).ravel().tolist() == [0, 0, 1, 128, 254, 255, 255]


@pytest.mark.parametrize("center,width", [(40, 0), (40, -5), (float("nan"), 80), (40, float("inf")),
                                          (2e7, 80), (40, 3e7)])
def test_windows_outside_the_bounds_are_refused(center, width):
    with pytest.raises(InputError):
        Window(center, width)


def test_a_slice_that_does_not_exist_is_refused():
    with pytest.raises(InputError, match="slices 0 to 0"):
        _one_slice([1, 2], 1.0, 0.0).display(1)


def test_agrees_with_pydicom_windowing_on_its_bundled_mr_file():
    import pydicom
    from pydicom.pixels import apply_windowing

    path = dicom_phantom.bundled_file("MR_small.dcm")
    ds = pydicom.dcmread(path)
    volume = render.read_volume([path])
    assert (volume.slices, volume.rows, volume.columns) == (1, 64, 64)
    assert volume.default == Window(600, 1600)  # the file's own WindowCenter / WindowWidth
    ours = volume.display(0).astype(float)
    # pydicom maps the same window onto the stored range (signed 16 bit here): bring it to 0..255
    low, high = -(2 ** (ds.BitsStored - 1)), 2 ** (ds.BitsStored - 1) - 1
    theirs = (apply_windowing(ds.pixel_array.astype(float), ds) - low) / (high - low) * 255
    assert np.abs(ours - theirs).max() <= 0.5 + 1e-6


def test_png_round_trips_the_display_values_and_carries_no_text():
    display = np.arange(64 * 64, dtype=np.uint32).reshape(64, 64).astype(np.uint8)
    png = render.encode_png(display)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    image = Image.open(io.BytesIO(png))
    assert image.size == (64, 64)
    assert np.array_equal(np.asarray(image.convert("L")), display)  # what a browser shows
    if image.mode == "P":  # a grey palette: index i is grey level i
        assert image.getpalette()[:768] == [v for i in range(256) for v in (i, i, i)]
        assert np.array_equal(np.asarray(image), display)
    assert not image.info.get("text") and b"tEXt" not in png and b"iTXt" not in png and b"zTXt" not in png


def test_a_phantom_series_reads_in_slice_order_with_presets(tmp_path):
    series = dicom_phantom.write_series(tmp_path, "FLAIR", slices=5, rows=48, columns=40)
    volume = render.read_volume(series.paths)
    assert (volume.slices, volume.rows, volume.columns) == (5, 48, 40)
    assert volume.default == Window(1800, 3600)
    assert set(volume.presets) == {"auto", "brain", "full"}
    lo, hi = float(volume.stored.min()), float(volume.stored.max())
    assert volume.presets["full"] == Window.from_range(lo, hi)
    # the phantom's slices differ, so do their images
    assert not np.array_equal(volume.display(0), volume.display(2))
    assert volume.aspect == pytest.approx((230 / 48) / (230 / 40))


def test_ct_series_also_get_the_hounsfield_windows():
    volume = _one_slice([0, 1000, 2000], 1.0, -1024.0, modality="CT")
    names = set(render.presets(volume))
    assert {"brain", "subdural", "bone"} <= names
    assert render.presets(volume)["brain"] == Window(40, 80)


def test_the_enhanced_multi_frame_file_gives_one_slice_per_frame():
    volume = render.read_volume([dicom_phantom.bundled_file("emri_small.dcm")])
    assert volume.slices == 10


def test_mixed_sizes_and_undecodable_files_are_refused_with_the_file_named(tmp_path):
    a = dicom_phantom.write_series(tmp_path / "a", "T2", slices=2, rows=32, columns=32)
    b = dicom_phantom.write_series(tmp_path / "b", "T2", slices=1, rows=24, columns=32, name="odd")
    with pytest.raises(InputError, match=r"odd_0001\.dcm: 24x32 pixels.*32x32"):
        render.read_volume([*a.paths, *b.paths])
    bad = dicom_phantom.write_not_dicom(tmp_path / "notes.dcm")
    with pytest.raises(InputError, match=r"notes\.dcm: the pixel data cannot be decoded"):
        render.read_volume([bad])


def test_the_cache_is_written_once_then_opened_memory_mapped(tmp_path, monkeypatch):
    series = dicom_phantom.write_series(tmp_path / "dicom", "T1", slices=4)
    calls: list[int] = []
    real = render.read_volume
    monkeypatch.setattr(render, "read_volume", lambda paths: calls.append(1) or real(paths))
    folder = tmp_path / "cache"
    cache = VolumeCache(size=2)
    first = cache.get(folder, "s1", lambda: series.paths)
    assert isinstance(first.stored, np.memmap) and calls == [1]
    assert sorted(p.name for p in folder.iterdir()) == ["s1.json", "s1.npy"]
    assert cache.get(folder, "s1", lambda: series.paths) is first  # from memory
    cache.clear()
    again = cache.get(folder, "s1", lambda: series.paths)  # from the cache folder, no DICOM read
    assert calls == [1] and np.array_equal(again.display(1), first.display(1))
    assert again.presets == first.presets and again.default == first.default
    # a changed source file makes the cached copy stale
    Path(series.paths[0]).write_bytes(Path(series.paths[0]).read_bytes())
    import os
    os.utime(series.paths[0], ns=(1, 1))
    cache.clear()
    cache.get(folder, "s1", lambda: series.paths)
    assert calls == [1, 1]


def test_the_memory_cache_keeps_the_most_recent_volumes(tmp_path):
    series = dicom_phantom.write_series(tmp_path / "dicom", "T2", slices=2, rows=16, columns=16)
    cache = VolumeCache(size=2)
    for key in ("a", "b", "c"):
        cache.get(tmp_path / "cache", key, lambda: series.paths)
    assert [k for _, k in cache._items] == ["b", "c"]
