"""The analysis service: the one way from a cohort file to a written report, for every front end.

The command line (``neurohlh analyze``, ``neurohlh demo``, ``neurohlh criteria``) and the reading station call
these functions; they hold no logic of their own beyond showing the outcome.

* :func:`validate` / :func:`load_cohort`: the loader's checks plus the domain checks the analysis would
  otherwise refuse on (variant descriptions), so a cohort that validates always analyses;
* :func:`run_analysis`: validate -> classify -> criteria -> genetics -> statistics -> report;
* :func:`assess_criteria`: validate -> criteria and genetics per patient (no statistics, no files).

Every problem with the input is raised as :class:`~neurohlh.errors.InputError` before anything is written;
an output that cannot be written raises :class:`OSError`.
"""
from __future__ import annotations

import gc
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeGuard

from neurohlh.agreement.cohort import reader_agreement
from neurohlh.analysis import AnalysisPlan, AnalysisResult, PlanName, analyze, plan_named
from neurohlh.analysis.plan import PAPER_PLAN
from neurohlh.criteria import cns_cohort, hlh2004, hscore
from neurohlh.criteria.cns import RULES as CNS_RULES
from neurohlh.criteria.cns import Rule as CnsRule
from neurohlh.genetics import consequence_tally, patient_genotype, recurrent_variants
from neurohlh.genetics.recurrence import check_cohort_variants, variant_problems
from neurohlh.io import Cohort, CohortCheck, ValidationReport
from neurohlh.io import load_cohort as _load_cohort
from neurohlh.io import validate as _validate
from neurohlh.reports import ReportFiles, build_report, write_report
from neurohlh.reports.build import prepare_output_folder
from neurohlh.schema import Variant

#: Checks that need a domain rule, run by :func:`validate` and :func:`load_cohort` with the loader's own checks.
DOMAIN_CHECKS: tuple[CohortCheck, ...] = (variant_problems,)


_gc_lock = threading.Lock()
_gc_pauses = 0
_gc_was_enabled = False


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a cohort is loaded, analysed and written.

    A large cohort is millions of small, long-lived, acyclic objects (cells, records, allocations); every
    collection of the oldest generation walks all of them again, which at 100,000 patients cost a quarter of the
    analysis's CPU. Reference counting still frees everything that is not in a cycle. The collector is switched
    back on (if it was on) when the last overlapping pause ends, so a long-running process such as the reading
    station keeps collecting afterwards.
    """
    global _gc_pauses, _gc_was_enabled
    with _gc_lock:
        if _gc_pauses == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pauses += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0 and _gc_was_enabled:
                gc.enable()


def validate(source: str | Path) -> ValidationReport:
    """Every problem :func:`run_analysis`, :func:`assess_criteria` or classification could refuse on, located."""
    with cyclic_gc_paused():
        return _validate(source, DOMAIN_CHECKS)


def load_cohort(source: str | Path) -> Cohort:
    """Load a cohort that passes :func:`validate`, or raise :class:`~neurohlh.errors.InputError` listing every
    problem."""
    with cyclic_gc_paused():
        return _load_cohort(source, DOMAIN_CHECKS)


#: The steps :func:`run_analysis` reports to its ``progress`` callback, in order.
STEPS: tuple[str, ...] = ("validate", "classify", "criteria", "genetics", "statistics", "report")
DEFAULT_TITLE = "CNS HLH MRI pattern analysis"


@dataclass(frozen=True)
class AnalysisRun:
    """One finished analysis: the result, the files written and the wall time."""

    result: AnalysisResult
    files: ReportFiles
    seconds: float


def run_analysis(source: str | Path | Cohort, out: str | Path, plan: AnalysisPlan | PlanName | str = PlanName.EXACT,
                 *, title: str = DEFAULT_TITLE, notice: str = "",
                 progress: Callable[[str], None] | None = None, paper: str = "a4",
                 reproduction: bool = False) -> AnalysisRun:
    """Load and validate ``source``, analyse it under ``plan`` and write the report into ``out``.

    ``out`` is checked before the analysis runs, so an unusable folder fails fast. ``progress`` is called with
    each name of :data:`STEPS` as the step starts. ``paper`` ("a4" or "letter") is the page of the printed
    formats; ``reproduction`` (the demo cohort) marks the cells that differ from the paper's printed tables.
    """
    step = progress or (lambda name: None)
    start = time.perf_counter()
    with cyclic_gc_paused():
        step("validate")
        cohort = source if isinstance(source, Cohort) else load_cohort(source)
        prepare_output_folder(out)
        result = analyze(cohort, plan_named(plan), progress=step)
        step("report")
        agreement = reader_agreement(cohort)  # None unless studies were read by reader_1 and reader_2
        files = write_report(result, out, build_report(result, title=title, notice=notice, agreement=agreement,
                                                       paper=paper, reproduction=reproduction,
                                                       completeness=cohort.completeness))
    return AnalysisRun(result, files, time.perf_counter() - start)


def assess_criteria(source: str | Path | Cohort, plan: AnalysisPlan = PAPER_PLAN) -> dict[str, Any]:
    """Per patient: HLH-2004, CNS involvement (the plan's rule), HScore and genotype group, as plain data."""
    cohort = source if isinstance(source, Cohort) else load_cohort(source)
    patients, studies = cohort.patient_records(), cohort.study_records()
    variants: list[Variant] = cohort.variant_records()
    check_cohort_variants(cohort, plan.disruptive)  # every unreadable variant reported at once, with file and row
    cns = cns_cohort(patients, studies, rule=plan.cns_rule)
    by_patient: dict[str, list[Variant]] = {}
    for v in variants:
        by_patient.setdefault(v.patient_id, []).append(v)
    rows: list[dict[str, Any]] = []
    for patient, c in zip(patients, cns.results):
        genotype = patient_genotype(patient, by_patient.get(patient.patient_id, []), policy=plan.disruptive)
        rows.append({"patient_id": patient.patient_id, "hlh2004": hlh2004(patient).to_dict(),
                     "cns": c.to_dict(), "hscore": hscore(patient).to_dict(), "genotype": genotype.to_dict()})
    return {
        "source": str(cohort.source if isinstance(source, Cohort) else source), "rule": plan.cns_rule,
        "policy": plan.disruptive.name, "patients": rows,
        "summary": {
            "cns": {k: v for k, v in cns.to_dict().items() if k != "results"},
            "hlh2004": dict(Counter(r["hlh2004"]["status"] for r in rows)),
            "genotype_groups": dict(Counter(r["genotype"]["group"] for r in rows if r["genotype"]["alleles"])),
            "patients_with_variant_data": sum(bool(r["genotype"]["alleles"]) for r in rows),
        },
        "recurrent_variants": [r.to_dict() for r in recurrent_variants(variants, plan.disruptive)],
        "consequences_per_gene": consequence_tally(variants, plan.disruptive).to_dict(),
    }


def criteria_plan(cns_rule: str, disruptive: str) -> AnalysisPlan:
    """The paper plan with the CNS rule and disruptive policy named on the command line."""
    from neurohlh.analysis.plan import DISRUPTIVE_POLICIES
    from neurohlh.errors import InputError

    if disruptive not in DISRUPTIVE_POLICIES:
        raise InputError(f"`--policy` must be one of {list(DISRUPTIVE_POLICIES)}; got {disruptive!r}.")
    if not _is_cns_rule(cns_rule):
        raise InputError(f"`cns_rule` must be one of {list(CNS_RULES)}; got {cns_rule!r}.")
    return replace(PAPER_PLAN, cns_rule=cns_rule, disruptive=DISRUPTIVE_POLICIES[disruptive])


def _is_cns_rule(name: str) -> TypeGuard[CnsRule]:
    return name in CNS_RULES


__all__ = ["DOMAIN_CHECKS", "AnalysisRun", "DEFAULT_TITLE", "STEPS", "assess_criteria", "criteria_plan", "load_cohort",
           "run_analysis", "validate"]
