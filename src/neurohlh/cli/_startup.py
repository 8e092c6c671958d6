"""Start and end of a command's process: importing the analysis libraries without walking them for garbage, and
ending without freeing a large analysis object by object."""
from __future__ import annotations

import atexit
import gc
import importlib
import os
import sys
import threading
from types import ModuleType
from typing import NoReturn


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


_owns_process = False  # set by neurohlh.cli.main: the command runs as the ``neurohlh`` executable
_batch = False  # set by run_as_batch in that case


def own_process() -> None:
    """Say that the command runs as the ``neurohlh`` executable (called by ``neurohlh.cli.main`` only), so that
    :func:`run_as_batch` may act on the whole process."""
    global _owns_process
    _owns_process = True


def run_as_batch() -> None:
    """Run this command's process as a batch job that ends once the command is done.

    Called by the commands that load a cohort (``analyze``, ``demo``, ``validate``, ``classify``, ``criteria``).
    Two things a long-running program needs are then left out, because the process ends right afterwards:

    * the cyclic garbage collector stays off to the end. The analysis pauses it anyway (the cohort's objects are
      long-lived and acyclic); switched on again, its next three collections would walk every object the analysis
      built (some 1.4 million at 100,000 patients, ~1.7 s of CPU) just before the process ends;
    * the process ends without freeing its objects one by one (:func:`leave`, called by ``neurohlh.cli.main``):
      at 100,000 patients another 2.5 s of CPU returning memory the operating system takes back anyway.

    Where the command runs inside another program (tests, notebooks, the reading station) this does nothing: only
    the ``neurohlh`` executable's ``main`` lets it act (:func:`own_process`).
    """
    global _batch
    if _owns_process:
        _batch = True
        gc.disable()


def is_batch() -> bool:
    """Whether the command that ran is a batch job of the ``neurohlh`` executable (:func:`run_as_batch`)."""
    return _batch


def leave(code: object) -> NoReturn:
    """End the process with the exit status of ``SystemExit(code)``, skipping the interpreter's teardown.

    What a normal exit does that matters is done first, in the same order: the status and message of
    ``SystemExit`` (``None`` is 0, an integer is itself, anything else is printed to stderr and is 1), the
    functions registered with :mod:`atexit` (logging's flush, :mod:`tempfile` and :mod:`weakref` finalizers,
    multiprocessing's clean-up), then standard output and error are flushed. Files the command wrote are closed
    by then (every report file is written and renamed into place before the command returns). Left out: freeing
    each live object and clearing each module. If another non-daemon thread still runs, the process exits
    normally instead, so that the thread is waited for as usual.
    """
    if threading.active_count() > 1 and any(not t.daemon for t in threading.enumerate()
                                            if t is not threading.main_thread()):
        raise SystemExit(code)
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:
        print(code, file=sys.stderr)
        status = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (``| head``) or stream: nothing more can reach it
            pass
    os._exit(status)
