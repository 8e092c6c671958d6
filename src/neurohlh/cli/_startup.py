"""Start-up of a command's process: importing the analysis libraries without walking them for garbage."""
from __future__ import annotations

import gc
import importlib
import sys
from types import ModuleType


def import_frozen(name: str) -> ModuleType:
    """Import module ``name`` with the cyclic garbage collector paused, then freeze what the import built.

    Importing the analysis service builds several hundred thousand objects (modules, classes, functions of pandas,
    SciPy, NumPy and neurohlh) that live until the process exits. The collector, running during the import,
    walks them some 400 times for nothing (0.1-0.2 s of CPU), and every later collection of the oldest generation
    walks them again. Frozen (:func:`gc.freeze`), they are left out of every collection; objects created
    afterwards are collected as usual. A module already imported is returned as it is.
    """
    if name in sys.modules:
        return sys.modules[name]
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return importlib.import_module(name)
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()
