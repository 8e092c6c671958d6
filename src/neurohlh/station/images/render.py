"""Stored MR slices to 8-bit PNG on the server: modality LUT (rescale), window/level, PNG.

Readers' browsers receive only these pixels, never a DICOM file or header. The steps follow DICOM PS3.3:

* modality LUT (C.11.1): ``value = stored * RescaleSlope + RescaleIntercept`` (slope 1, intercept 0 when absent);
* VOI LUT, linear window (C.11.2.1.2.1), with centre ``c`` and width ``w >= 1``::

      value <= c - 0.5 - (w - 1) / 2  ->  0
      value >  c - 0.5 + (w - 1) / 2  ->  255
      otherwise                       ->  ((value - (c - 0.5)) / (w - 1) + 0.5) * 255

  rounded half up to a whole number;
* MONOCHROME1 (low values shown white) is inverted after windowing.

A series' stored values are read from its files once and kept as one ``.npy`` array (with a small JSON beside it:
per-slice rescale, photometric interpretation, windows) in a cache folder, opened memory-mapped, so the next slice
is one array read, a few vectorised operations and a PNG encoding. Nothing of the DICOM header but these numbers
is kept.
"""
from __future__ import annotations

import io
import json
import math
import os
import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from neurohlh.errors import InputError

#: Bounds of a window a request may ask for (modality units): far beyond any MR or CT value range.
MAX_ABS_CENTER = 1.0e7
MAX_WIDTH = 2.0e7
#: zlib level and strategy of the PNGs: level 1 with run-length matching is several times faster than Pillow's
#: default (level 6) on noisy MR slices, and the files are only somewhat larger.
PNG_COMPRESS_LEVEL = 1
PNG_STRATEGY = zlib.Z_RLE
#: Windows CT readers know by name (Hounsfield units); offered only for CT series.
CT_PRESETS = {"brain": (40.0, 80.0), "subdural": (75.0, 215.0), "bone": (600.0, 2800.0)}
CACHE_VERSION = 1


@dataclass(frozen=True)
class Window:
    """A linear VOI window: centre and width in modality units (width 1 or more, DICOM PS3.3 C.11.2.1.2)."""

    center: float
    width: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.center) and math.isfinite(self.width)):
            raise InputError(f"window centre {self.center} / width {self.width}: both must be finite numbers")
        if abs(self.center) > MAX_ABS_CENTER:
            raise InputError(f"window centre {self.center:g} is outside ±{MAX_ABS_CENTER:g}")
        if not 1.0 <= self.width <= MAX_WIDTH:
            raise InputError(f"window width {self.width:g} must be between 1 and {MAX_WIDTH:g}")

    @classmethod
    def from_range(cls, low: float, high: float) -> Window:
        """The window that maps ``low`` to black and ``high`` to white (width at least 1)."""
        width = min(max(float(high) - float(low), 0.0) + 1.0, MAX_WIDTH)
        return cls((float(low) + float(high)) / 2 + 0.5, width)

    def to_dict(self) -> dict[str, float]:
        return {"center": round(self.center, 3), "width": round(self.width, 3)}


def modality_values(stored: np.ndarray, slope: float, intercept: float) -> np.ndarray:
    """Stored pixel values to modality values (float32): ``stored * slope + intercept``."""
    out = stored.astype(np.float32)
    if slope != 1.0:
        out *= np.float32(slope)
    if intercept != 0.0:
        out += np.float32(intercept)
    return out


def apply_window(values: np.ndarray, window: Window, *, invert: bool = False) -> np.ndarray:
    """Modality values to 8-bit display values with the linear VOI function of DICOM PS3.3 C.11.2.1.2.1."""
    c, w = window.center, window.width
    low = c - 0.5 - (w - 1) / 2
    high = c - 0.5 + (w - 1) / 2
    if w > 1:
        scaled = ((values - np.float32(c - 0.5)) * np.float32(255.0 / (w - 1)) + np.float32(127.5))
        out = np.floor(np.clip(scaled, 0.0, 255.0) + np.float32(0.5))
    else:  # width 1: a threshold
        out = np.where(values > high, 255.0, 0.0)
    out[values <= low] = 0
    out[values > high] = 255
    display = out.astype(np.uint8)
    return 255 - display if invert else display


#: The identity grey palette: index i is shown as grey level i.
GREY_PALETTE = [level for i in range(256) for level in (i, i, i)]


def encode_png(display: np.ndarray) -> bytes:
    """An 8-bit grey image as PNG bytes (no text chunks, no metadata).

    Written as a palette image whose palette is the 256 grey levels: it shows exactly the same pixels, and Pillow
    writes palette rows unfiltered, where a grey image has each row tried with all five PNG filters, which costs
    2 to 3 times the whole encoding of a noisy 512 x 512 MR slice.
    """
    from PIL import Image

    pixels = np.ascontiguousarray(display, dtype=np.uint8)
    image = Image.frombuffer("P", (pixels.shape[1], pixels.shape[0]), pixels.tobytes(), "raw", "P", 0, 1)
    image.putpalette(GREY_PALETTE)
    buf = io.BytesIO()
    image.save(buf, format="PNG", compress_level=PNG_COMPRESS_LEVEL, compress_type=PNG_STRATEGY)
    return buf.getvalue()


@dataclass(frozen=True)
class Volume:
    """A series' stored values (slices x rows x columns, possibly memory-mapped) and what rendering needs."""

    stored: np.ndarray
    rescale: np.ndarray  # slices x 2: slope, intercept
    monochrome1: bool = False
    modality: str = "MR"
    default: Window | None = None
    presets: dict[str, Window] = field(default_factory=dict)
    aspect: float = 1.0  # row spacing / column spacing: the browser stretches the image by this

    @property
    def slices(self) -> int:
        return int(self.stored.shape[0])

    @property
    def rows(self) -> int:
        return int(self.stored.shape[1])

    @property
    def columns(self) -> int:
        return int(self.stored.shape[2])

    def window(self) -> Window:
        return self.default or self.presets["auto"]

    def values(self, index: int) -> np.ndarray:
        slope, intercept = (float(x) for x in self.rescale[index])
        return modality_values(np.asarray(self.stored[index]), slope, intercept)

    def display(self, index: int, window: Window | None = None) -> np.ndarray:
        if not 0 <= index < self.slices:
            raise InputError(f"slice {index} does not exist: the series has slices 0 to {self.slices - 1}")
        return apply_window(self.values(index), window or self.window(), invert=self.monochrome1)

    def png(self, index: int, window: Window | None = None) -> bytes:
        return encode_png(self.display(index, window))


# ------------------------------------------------------------------ reading DICOM files


def _number(value: object, default: float) -> float:
    """A DS value that may be multi-valued (the first counts) or absent."""
    if value is None or value == "":
        return default
    if not isinstance(value, (str, bytes, int, float)):  # pydicom's MultiValue
        items = list(value)  # type: ignore[call-overload]
        value = items[0] if items else default
    number = float(value)
    return number if math.isfinite(number) else default


def _rescale(ds: object) -> tuple[float, float]:
    slope, intercept = getattr(ds, "RescaleSlope", None), getattr(ds, "RescaleIntercept", None)
    if slope is None and hasattr(ds, "SharedFunctionalGroupsSequence"):  # enhanced multi-frame objects
        shared = ds.SharedFunctionalGroupsSequence[0]
        if "PixelValueTransformationSequence" in shared:
            item = shared.PixelValueTransformationSequence[0]
            slope, intercept = item.get("RescaleSlope"), item.get("RescaleIntercept")
    return _number(slope, 1.0), _number(intercept, 0.0)


@dataclass(frozen=True)
class SliceSource:
    """Where one displayed slice comes from: a file, one of its frames (``None``: every frame, in order) and,
    when the station already knows it, the rescale slope and intercept (otherwise read from the file)."""

    path: Path
    frame: int | None = None
    rescale: tuple[float, float] | None = None


def _read(path: Path) -> tuple[np.ndarray, object]:
    import pydicom

    try:
        ds = pydicom.dcmread(path)
        pixels = ds.pixel_array
    except Exception as exc:  # pydicom raises many types for unreadable or undecodable files
        raise InputError(f"{path.name}: the pixel data cannot be decoded ({type(exc).__name__}: {exc})") from None
    if getattr(ds, "SamplesPerPixel", 1) != 1:
        raise InputError(f"{path.name}: colour images ({ds.PhotometricInterpretation}) are not MR slices")
    if pixels.ndim == 2:
        pixels = pixels[np.newaxis]
    return pixels, ds


def read_volume(sources: Sequence[Path | SliceSource]) -> Volume:
    """Read a series' slices in the given order into one volume (each file is decoded once)."""
    if not sources:
        raise InputError("the series has no stored slices")
    stacks, rescale = [], []
    decoded: dict[Path, tuple[np.ndarray, object]] = {}
    first = None
    for item in sources:
        source = item if isinstance(item, SliceSource) else SliceSource(Path(item))
        path = Path(source.path)
        if path not in decoded:
            decoded = {path: _read(path)}  # consecutive slices of a multi-frame file share one decoding
        frames, ds = decoded[path]
        if source.frame is not None:
            if not 0 <= source.frame < frames.shape[0]:
                raise InputError(f"{path.name}: has {frames.shape[0]} frame(s), frame {source.frame} was asked for")
            pixels = frames[source.frame:source.frame + 1]
        else:
            pixels = frames
        if first is None:
            first = ds
            shape = pixels.shape[1:]
        elif pixels.shape[1:] != shape:
            raise InputError(f"{path.name}: {pixels.shape[1]}x{pixels.shape[2]} pixels, but the series' first "
                             f"slice has {shape[0]}x{shape[1]}: one series cannot mix image sizes")
        stacks.append(pixels)
        rescale += [source.rescale or _rescale(ds)] * pixels.shape[0]
    assert first is not None
    stored = np.concatenate(stacks) if len(stacks) > 1 else stacks[0]
    if stored.dtype.kind == "f":
        stored = stored.astype(np.float32)
    spacing = getattr(first, "PixelSpacing", None)
    aspect = 1.0
    if spacing is not None and len(spacing) == 2 and float(spacing[1]) > 0 and float(spacing[0]) > 0:
        aspect = float(spacing[0]) / float(spacing[1])
    default = None
    center, width = getattr(first, "WindowCenter", None), getattr(first, "WindowWidth", None)
    if center is not None and width is not None:
        try:
            default = Window(_number(center, math.nan), max(_number(width, math.nan), 1.0))
        except (InputError, ValueError):
            default = None
    modality = str(getattr(first, "Modality", "MR") or "MR")
    volume = Volume(stored=stored, rescale=np.asarray(rescale, dtype=np.float64).reshape(-1, 2),
                    monochrome1=str(getattr(first, "PhotometricInterpretation", "")) == "MONOCHROME1",
                    modality=modality, default=default, aspect=aspect)
    return replace(volume, presets=presets(volume))


def presets(volume: Volume) -> dict[str, Window]:
    """Named windows of a series, computed from its own values (MR intensities have no absolute scale).

    ``auto``: the 0.5th to 99.5th percentile of all pixels; ``brain``: the 1st to 99th percentile of the pixels
    above the background (brighter than 10% of the 99.5th percentile); ``full``: minimum to maximum. CT series
    also get the Hounsfield windows ``brain`` 40/80, ``subdural`` 75/215 and ``bone`` 600/2800.
    """
    step = max(1, volume.slices // 48)
    sample = np.concatenate([volume.values(i)[::2, ::2].ravel() for i in range(0, volume.slices, step)])
    low, high = float(sample.min()), float(sample.max())
    p_low, p_high = (float(x) for x in np.percentile(sample, [0.5, 99.5]))
    threshold = low + 0.1 * (p_high - low)
    tissue = sample[sample > threshold]
    out = {"auto": Window.from_range(p_low, p_high)}
    if tissue.size:
        t_low, t_high = (float(x) for x in np.percentile(tissue, [1, 99]))
        out["brain"] = Window.from_range(t_low, t_high)
    out["full"] = Window.from_range(low, high)
    if volume.modality == "CT":
        out.update({name: Window(c, w) for name, (c, w) in CT_PRESETS.items()})
    return out


# ------------------------------------------------------------------ the cache folder and the in-memory LRU


def _fingerprint(sources: Sequence[Path | SliceSource]) -> list[list[object]]:
    """What the cached copy was made from: each file's name, size and change time, frame and rescale."""
    out: list[list[object]] = []
    for item in sources:
        source = item if isinstance(item, SliceSource) else SliceSource(Path(item))
        st = Path(source.path).stat()
        out.append([Path(source.path).name, st.st_size, st.st_mtime_ns, source.frame,
                    list(source.rescale) if source.rescale else None])
    return out


def save_volume(volume: Volume, folder: Path, key: str, source: Sequence[Path | SliceSource] = ()) -> None:
    """Write ``KEY.npy`` (stored values) and then ``KEY.json`` (the rest), each through a temporary file."""
    folder.mkdir(parents=True, exist_ok=True)
    array_tmp = folder / f".{key}.npy.tmp"
    with array_tmp.open("wb") as fh:
        np.save(fh, np.ascontiguousarray(volume.stored), allow_pickle=False)
    os.replace(array_tmp, folder / f"{key}.npy")
    meta = {"version": CACHE_VERSION, "rescale": volume.rescale.tolist(), "monochrome1": volume.monochrome1,
            "modality": volume.modality, "default": volume.default.to_dict() if volume.default else None,
            "presets": {k: w.to_dict() for k, w in volume.presets.items()}, "aspect": volume.aspect,
            "shape": list(volume.stored.shape), "source": _fingerprint(source)}
    meta_tmp = folder / f".{key}.json.tmp"
    meta_tmp.write_text(json.dumps(meta), encoding="utf-8")
    os.replace(meta_tmp, folder / f"{key}.json")


def load_volume(folder: Path, key: str, source: Sequence[Path | SliceSource] = ()) -> Volume | None:
    """The cached volume (memory-mapped), or ``None`` when absent, from an older version or stale."""
    meta_path, array_path = folder / f"{key}.json", folder / f"{key}.npy"
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("version") != CACHE_VERSION or (source and meta.get("source") != _fingerprint(source)):
            return None
        stored = np.load(array_path, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError):
        return None
    if list(stored.shape) != meta["shape"]:
        return None

    def window(d: dict[str, float] | None) -> Window | None:
        return Window(d["center"], d["width"]) if d else None

    return Volume(stored=stored, rescale=np.asarray(meta["rescale"], dtype=np.float64).reshape(-1, 2),
                  monochrome1=bool(meta["monochrome1"]), modality=str(meta["modality"]),
                  default=window(meta["default"]),
                  presets={k: Window(v["center"], v["width"]) for k, v in meta["presets"].items()},
                  aspect=float(meta["aspect"]))


class VolumeCache:
    """Volumes by key: an in-memory LRU over the cache folder, built from the files on first use."""

    def __init__(self, size: int = 16):
        self.size = size
        self._items: OrderedDict[tuple[str, str], Volume] = OrderedDict()
        self._lock = threading.Lock()
        self._building: dict[tuple[str, str], threading.Lock] = {}

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def get(self, folder: Path, key: str, files: Callable[[], Sequence[Path | SliceSource]]) -> Volume:
        """The volume ``key``: from memory, else the cache folder, else read from ``files()`` and cached."""
        item = (str(folder), key)
        with self._lock:
            volume = self._items.get(item)
            if volume is not None:
                self._items.move_to_end(item)
                return volume
            build_lock = self._building.setdefault(item, threading.Lock())
        with build_lock:  # one thread reads a series' files; the others wait for it
            with self._lock:
                volume = self._items.get(item)
            if volume is None:
                paths = list(files())
                volume = load_volume(folder, key, paths)
                if volume is None:
                    save_volume(read_volume(paths), folder, key, paths)
                    volume = load_volume(folder, key, paths)
                    assert volume is not None
            with self._lock:
                self._items[item] = volume
                self._items.move_to_end(item)
                while len(self._items) > self.size:
                    self._items.popitem(last=False)
                self._building.pop(item, None)
        return volume


#: The station process' cache of decoded volumes.
VOLUMES = VolumeCache()
