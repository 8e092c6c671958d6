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


#: Set by a command that built a large analysis (see :func:`exit_without_teardown`); read by ``neurohlh.cli.main``.
_skip_teardown = False


def exit_without_teardown() -> None:
    """Ask for this command's process to end without freeing its objects one by one.

    At the end of a process Python deallocates every object still alive: after ``neurohlh analyze`` of 100,000
    patients that is some 1.4 million records and results, 2.5 s of CPU spent returning memory the operating system
    takes back anyway. A command that built such an analysis calls this; when it returns, ``neurohlh.cli.main``
    ends the process with :func:`leave`. The call does nothing where the command runs inside another program
    (tests, notebooks): only the ``neurohlh`` executable's ``main`` reads it.
    """
    global _skip_teardown
    _skip_teardown = True


def teardown_skipped() -> bool:
    """Whether the command that ran asked for :func:`exit_without_teardown`."""
    return _skip_teardown


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
