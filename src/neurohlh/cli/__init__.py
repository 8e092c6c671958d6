"""Command-line interface: ``neurohlh COMMAND``. Each command lives in its own module with a ``register(app)``."""
from __future__ import annotations

import gc
import os

import typer

from neurohlh.cli import _startup

app = typer.Typer(
    name="neurohlh",
    help="MRI patterns of pediatric CNS HLH (Malik et al., AJNR 2021): validate, classify, analyse a cohort.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: option choices listed, no type labels, help texts never read as markup
)


def _print_version(value: bool) -> None:
    if value:
        from neurohlh import __version__

        print(f"neurohlh {__version__}")
        raise typer.Exit()


@app.callback()
def _main_options(
    version: bool = typer.Option(False, "--version", callback=_print_version, is_eager=True,
                                 help="Print the neurohlh version and exit."),
) -> None:
    """MRI patterns of pediatric CNS HLH (Malik et al., AJNR 2021): validate, classify, analyse a cohort."""

# One line per command module; each module defines register(app).
from neurohlh.cli import records as _records  # noqa: E402

_records.register(app)
# -- command modules of other features are registered below this line --
from neurohlh.cli import analyze as _analyze  # noqa: E402
_analyze.register(app)
from neurohlh.cli import classify as _classify  # noqa: E402
_classify.register(app)
from neurohlh.cli import criteria as _criteria  # noqa: E402
_criteria.register(app)
from neurohlh.cli import station as _station  # noqa: E402
_station.register(app)
from neurohlh.cli import redcap as _redcap  # noqa: E402
_redcap.register(app)
from neurohlh.cli import agreement as _agreement  # noqa: E402
_agreement.register(app)


#: Garbage-collector thresholds of a command's process (Python's default is (700, 10, 10)).
GC_THRESHOLDS = (700, 10, 100)


def main() -> None:
    # A command builds millions of long-lived objects (library imports, frames, figures). At Python's default the
    # collector rescans the whole heap every 10 middle-generation collections: four times in one demo, ~0.35 s
    # of CPU for nothing (the libraries' objects live to the end). Every 100 keeps the young collections, which
    # free the short-lived cycles, as frequent as before.
    gc.set_threshold(*GC_THRESHOLDS)
    # Commands only write image files: naming matplotlib's non-interactive backend up front spares it loading
    # pyplot to look for a display on first use (a backend the user set in MPLBACKEND is kept).
    os.environ.setdefault("MPLBACKEND", "agg")
    _startup.own_process()
    try:
        app()
    except SystemExit as exc:
        if not _startup.is_batch():
            raise
        _startup.leave(exc.code)
