"""A methods paragraph for reader agreement in the style of GRRAS (Kottner et al., J Clin Epidemiol 2011).

Written from what was computed: readers, cases, fields and decisions, coefficients, intervals and the resolution
of disagreements. What the data cannot show (the readers' experience, blinding to clinical data and to each
other) is named as something the authors must state.
"""
from __future__ import annotations

from typing import Any

from neurohlh.agreement.fields import ORDINAL_WEIGHTS


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%" if x == x else "n/a"


def methods_paragraph(result: Any) -> str:
    """GRRAS-style methods text for a :class:`~neurohlh.agreement.cohort.ReaderAgreement`."""
    fields = result.fields
    n_fields = len({f.name.split(":")[0] for f in fields})
    n_elements = sum(":" in f.name for f in fields)
    ordinal = sorted({f.name for f in fields if f.scale == "ordinal"})
    interval = sorted({f.name for f in fields if f.scale == "interval"})
    level = f"{result.confidence:.0%}"
    agreements = [f.percent_agreement for f in fields if f.n]
    median_agreement = sorted(agreements)[len(agreements) // 2] if agreements else float("nan")
    lines = [
        f"Two readers (reader 1 and reader 2) each read {result.n_studies} MR studies of {result.n_patients} "
        "patients on the structured data-collection sheet; reader agreement was computed on these independent, "
        "pre-consensus reads.",
        f"Agreement was assessed for {n_fields} fields of the sheet (set-valued fields element by element, "
        f"{n_elements} elements) and for {len(result.decisions)} decisions derived from each reader's reads by the "
        "same pattern rules as the consensus (lesional yes/no and pattern-2 category per study; pattern and onset "
        "subpattern per patient).",
        "For each we report percent agreement, Cohen's kappa (Cohen 1960; "
        + (f"{ORDINAL_WEIGHTS}-weighted for the ordinal field(s) {', '.join(ordinal)} in the sheet's order "
           "none < single < few < multiple; Cohen 1968" if ordinal else "unweighted")
        + "), Gwet's AC1 (Gwet 2008), which is robust to the low kappa of rare findings, and Krippendorff's alpha "
          "(nominal, ordinal or interval by field; Krippendorff 2011)"
        + (f"; numeric fields ({', '.join(interval)}) were assessed with interval alpha only" if interval else "")
        + ".",
        f"{level} confidence intervals are asymptotic for kappa (variance of Fleiss, Cohen and Everitt 1969) and AC1 "
        f"(Gwet 2008), and from a case-level percentile bootstrap ({result.n_boot} resamples of studies, or of "
        f"patients for patient-level decisions, seed {result.seed}) for alpha, with bootstrap intervals for every "
        "coefficient alongside. Cases with a missing read were left out of that field's coefficients. Prevalence "
        "and bias indices and PABAK (Byrt et al. 1993) accompany two-category fields.",
        f"The readers disagreed on at least one field in {result.studies_discordant} of {result.n_studies} studies "
        f"(median percent agreement over fields {_pct(median_agreement)}); {result.adjudicated_values} disputed "
        f"values in {result.adjudicated_studies} studies were decided by a third reader (adjudicator)"
        + (f" and {result.consensus_row_values} at a consensus review" if result.consensus_row_values else "")
        + "; the consensus reads were analysed.",
        "Not recorded in the data and to be stated by the authors (GRRAS items 4-6): the readers' experience, "
        "their blinding to clinical data and to each other's reads, and how the studies were selected and ordered.",
    ]
    return " ".join(lines)
