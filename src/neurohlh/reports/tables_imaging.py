"""Study-level lesion distribution and enhancement table, and the recurrent-variant table."""
from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import pandas as pd

from neurohlh.analysis import AnalysisResult
from neurohlh.reports.format import count_cell
from neurohlh.reports.model import Cell, Row, Table

#: (summary key, printed label, indent level, section heading) in the paper's reporting order (Results,
#: Imaging Findings in Pattern 1).
LESION_ROWS: tuple[tuple[str, str, int, str], ...] = (
    ("cerebral", "Cerebral white matter", 0, "Lesion distribution (all studies)"),
    ("cerebellar", "Cerebellar", 0, ""),
    ("deep_grey", "Deep grey nuclei / thalamus", 0, ""),
    ("deep_grey_bilateral_asymmetric", "Bilateral asymmetric (of deep grey)", 1, ""),
    ("brainstem", "Brainstem (midbrain, pons or medulla)", 0, ""),
    ("brainstem_midbrain", "Midbrain (of brainstem)", 1, ""),
    ("brainstem_medulla", "Medulla (of brainstem)", 1, ""),
    ("brainstem_dorsal_pons", "Dorsal pons (of brainstem)", 1, ""),
    ("cranial_nerves", "Cranial nerve enhancement", 0, ""),
    ("optic_nerve", "Optic nerve", 0, ""),
    ("cord", "Spinal cord lesions", 0, ""),
    ("cauda_equina", "Cauda equina thickening", 0, ""),
    ("enhancing_cerebral", "Enhancing, of studies with cerebral lesions", 0, "Enhancement"),
    ("enhancing_cerebellar", "Enhancing, of studies with cerebellar lesions", 0, ""),
    ("target_supra", "Target lesions/variants, of studies with supratentorial lesions", 0, ""),
    ("target_infra", "Target lesions/variants, of studies with infratentorial lesions", 0, ""),
    ("cortical_atrophy_with_lesions", "Cortical atrophy with parenchymal lesions", 0, "Other findings"),
    ("swi_blooming", "SWI blooming", 0, ""),
    ("ventriculomegaly", "Ventriculomegaly", 0, ""),
    ("ventriculomegaly_obstructive", "Obstructive (of ventriculomegaly)", 1, ""),
)
#: Rows drawn in the lesion-distribution figure.
FIGURE_KEYS = ("cerebral", "cerebellar", "deep_grey", "brainstem", "cranial_nerves", "optic_nerve", "cord",
               "cauda_equina")


def _count(summary: Any, key: str) -> Any | None:
    try:
        return summary[key]
    except KeyError:
        return None


def lesion_table(result: AnalysisResult) -> Table:
    """Study-level lesion distribution, enhancement and other findings (counts as printed in the paper)."""
    s = result.study_summary
    rows: list[Row] = []
    unknown_notes = []
    for key, label, level, section in LESION_ROWS:
        c = _count(s, key)
        if c is None:
            continue
        if section:
            rows.append(Row(section, section=True))
        rows.append(Row(label, (count_cell(c.numerator, c.denominator), Cell(c.paper or "")), level))
        if c.unknown:
            unknown_notes.append(f"{label}: {c.unknown} stud(ies) with the finding unknown")
    notes = [
        f"{s.n_studies} MR studies (consensus reads) of {s.n_patients} patients; n/N = studies with the finding / "
        "studies of the subgroup named in the row (all studies unless stated) in which the finding is known "
        "(denominator = studies in which the item is known).",
        "A finding recorded as absent is a known negative, and so is a location left blank in a compartment whose "
        "lesion number is none (e.g. cerebral white matter when the supratentorial compartment reads none).",
        "Last column: the figure printed by Malik et al. (AJNR 2021) for their cohort, for comparison.",
    ]
    if unknown_notes:
        notes.append("Unknown values are not evaluable: counted neither as absent nor in the denominator: "
                     + "; ".join(unknown_notes) + ".")
    return Table("lesions", "Study-level lesion distribution and enhancement", ("Studies, n/N (%)", "Malik et al. 2021"),
                 tuple(rows), tuple(notes), label_header="Finding")


def lesion_rows(result: AnalysisResult) -> list[tuple[str, int, int]]:
    """(label, n, N) for the lesion-distribution figure."""
    labels = {k: label for k, label, _, _ in LESION_ROWS}
    out = []
    for key in FIGURE_KEYS:
        c = _count(result.study_summary, key)
        if c is not None:
            out.append((labels[key], c.numerator, c.denominator))
    return out


def _field(obj: Any, *names: str) -> Any:
    for n in names:
        if isinstance(obj, dict) and n in obj:
            return obj[n]
        if hasattr(obj, n):
            return getattr(obj, n)
    return None


def recurrent_table(result: AnalysisResult) -> Table:
    """Variants seen in more than one patient, with their carriers' genotype group and patterns."""
    f = result.patients
    # each patient's pattern label and pooled-group flag, read from the columns once; carriers found by position
    shown_pattern = np.array([str(onset) if pat == "1" and isinstance(onset, str) else f"pattern {pat}"
                              for pat, onset in zip(f["pattern"].tolist(), f["onset_subpattern"].tolist())],
                             dtype=object)
    flags = f["pooled_group"].astype("boolean")
    pooled_known_at = flags.notna().to_numpy(dtype=bool)  # unknown group (e.g. no expression data): not evaluable
    pooled_at = flags.fillna(False).to_numpy(dtype=bool)
    position = pd.Index(f["patient_id"])
    rows = []
    for v in result.recurrent_variants:
        patients = tuple(_field(v, "patient_ids", "patients") or ())
        gene = _field(v, "gene") or ""
        key = _field(v, "key", "variant") or ""
        at = position.get_indexer(list(patients)) if patients else np.zeros(0, dtype=np.intp)
        at = at[at >= 0]
        pooled, pooled_known = int(np.count_nonzero(pooled_at[at])), int(np.count_nonzero(pooled_known_at[at]))
        counts = Counter(shown_pattern[at].tolist())
        shown = ", ".join(f"{k} ({n})" for k, n in sorted(counts.items()))
        label = key if str(key).startswith(str(gene)) else f"{gene} {key}".strip()
        rows.append(Row(label, (
            Cell(str(_field(v, "consequence") or "")), Cell(str(len(patients)), float(len(patients)), kind="number"),
            count_cell(pooled, pooled_known), Cell(shown))))
    notes: tuple[str, ...] = ("Variants keyed by their normalised c. description (neurohlh.genetics.recurrent_variants); a patient "
             "homozygous for a variant counts once.",
             "Patterns column: onset subpattern for pattern-1 carriers, else the pattern.",
             "Pooled group: carriers in the pooled mutation group / carriers whose group is known.")
    if not rows:
        notes = (*notes, "No variant was seen in more than one patient.")
    return Table("recurrent_variants", "Recurrent variants", ("Consequence", "Patients", "Pooled group", "Patterns"),
                 tuple(rows), notes, label_header="Variant")
