"""HLH-2004 diagnostic criteria (Henter et al. 2007), item by item, with missing data kept apart.

Rule (Henter 2007, Table I): the diagnosis of HLH can be established by **either** (1) a molecular diagnosis
consistent with HLH **or** (2) at least 5 of the 8 clinical/laboratory criteria below. Each item is met,
not met or not evaluable; the result is ``met``, ``not_met`` or ``could_be_met`` (enough items or the
molecular path are still unknown that the diagnosis could be reached if they turned out positive).

References
----------
Henter JI, Horne A, Arico M, et al. HLH-2004: Diagnostic and therapeutic guidelines for hemophagocytic
lymphohistiocytosis. Pediatr Blood Cancer 2007;48:124-131. doi:10.1002/pbc.21039
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from neurohlh.criteria._core import (
    ItemResult, Status, boolean_item, threshold_item, threshold_status, tri_status,
)
from neurohlh.schema import Patient

SOURCE = "Henter et al., Pediatr Blood Cancer 2007;48:124 (HLH-2004), Table I"
CRITERIA_VERSION = "HLH-2004 (Henter 2007)"

#: Criteria needed for the clinical path: "5 of the 8 criteria below" (Henter 2007).
CRITERIA_REQUIRED = 5
#: Number of clinical/laboratory criteria in HLH-2004.
CRITERIA_TOTAL = 8
#: Haemoglobin < 90 g/L counts as a cytopenic lineage (Henter 2007, criterion 3).
HEMOGLOBIN_BELOW_G_L = 90.0
#: Infants < 4 weeks: haemoglobin < 100 g/L (Henter 2007, criterion 3).
HEMOGLOBIN_BELOW_INFANT_G_L = 100.0
#: "Infants < 4 weeks": age in days strictly below this uses the infant haemoglobin cut-off.
INFANT_AGE_BELOW_DAYS = 28.0
#: Platelets < 100 x 10^9/L (Henter 2007, criterion 3).
PLATELETS_BELOW_10E9_L = 100.0
#: Neutrophils < 1.0 x 10^9/L (Henter 2007, criterion 3).
NEUTROPHILS_BELOW_10E9_L = 1.0
#: Cytopenias must affect >= 2 of 3 lineages (Henter 2007, criterion 3).
CYTOPENIA_LINEAGES_REQUIRED = 2
#: Fasting triglycerides >= 3.0 mmol/L (printed ">= 265 mg/dL") (Henter 2007, criterion 4).
TRIGLYCERIDES_AT_LEAST_MMOL_L = 3.0
#: Fibrinogen <= 1.5 g/L (Henter 2007, criterion 4).
FIBRINOGEN_AT_MOST_G_L = 1.5
#: Ferritin >= 500 ug/L (Henter 2007, criterion 7).
FERRITIN_AT_LEAST_UG_L = 500.0
#: Soluble CD25 (sIL-2 receptor) >= 2400 U/mL (Henter 2007, criterion 8).
SCD25_AT_LEAST_U_ML = 2400.0
#: Genetic results that count as "a molecular diagnosis consistent with HLH" (our reading; the 2004 table
#: lists no genes, so we rely on the laboratory's classification of the patient's result).
MOLECULAR_DIAGNOSIS_RESULTS = frozenset({"pathogenic", "likely_pathogenic"})

HLH2004Status = Literal["met", "not_met", "could_be_met"]


#: The 8 clinical/laboratory criteria in the order of Henter 2007 Table I (ids of :func:`hlh2004_items`).
ITEM_IDS = ("fever", "splenomegaly", "cytopenias", "triglycerides_fibrinogen", "hemophagocytosis", "nk_activity",
            "ferritin", "scd25")


@dataclass(frozen=True, slots=True)
class HLH2004Result:
    """HLH-2004 assessment of one patient.

    ``status`` combines both paths; ``clinical_status`` is the 5-of-8 path alone. ``n_met``,
    ``n_not_evaluable`` and ``n_required`` are over the 8 clinical criteria, whose statuses are
    ``item_statuses`` (in the order of :data:`ITEM_IDS`). ``items``, ``molecular`` and ``reason`` (the values
    used and the explanation of every item) are built from ``patient`` when read.
    """

    patient_id: str
    status: HLH2004Status
    clinical_status: HLH2004Status
    item_statuses: tuple[Status, ...]
    molecular_status: Status
    n_met: int
    n_not_evaluable: int
    n_required: int
    patient: Any = field(repr=False, compare=False)
    criteria_version: str = CRITERIA_VERSION

    @property
    def item_ids(self) -> tuple[str, ...]:
        return ITEM_IDS

    @property
    def items(self) -> tuple[ItemResult, ...]:
        """The 8 criteria with the values used, the rule and the explanation."""
        return hlh2004_items(self.patient)

    @property
    def molecular(self) -> ItemResult:
        """The molecular path (a genetic result consistent with HLH)."""
        return _molecular(self.patient)

    @property
    def reason(self) -> str:
        """Why the status is what it is, in one sentence."""
        return _reason(self.n_met, self.n_not_evaluable, self.clinical_status, self.molecular)

    def to_dict(self) -> dict[str, Any]:
        return {
            "patient_id": self.patient_id,
            "status": self.status,
            "clinical_status": self.clinical_status,
            "molecular": self.molecular.to_dict(),
            "items": [i.to_dict() for i in self.items],
            "n_met": self.n_met,
            "n_not_evaluable": self.n_not_evaluable,
            "n_required": self.n_required,
            "reason": self.reason,
            "criteria_version": self.criteria_version,
        }


def _molecular_status(result: Any) -> Status:
    if result in MOLECULAR_DIAGNOSIS_RESULTS:
        return Status.MET
    if result is None or result == "not_tested":
        return Status.NOT_EVALUABLE
    return Status.NOT_MET


def _molecular(patient: Patient) -> ItemResult:
    result = patient.genetic_result
    values = {"genetic_result": result}
    rule = f"genetic_result in {sorted(MOLECULAR_DIAGNOSIS_RESULTS)}"
    name = "Molecular diagnosis consistent with HLH"
    status = _molecular_status(result)
    if status is Status.NOT_EVALUABLE:
        why = "genetic testing not done" if result else "genetic result is unknown"
        return ItemResult("molecular", name, status, values, rule, why, SOURCE)
    return ItemResult("molecular", name, status, values, rule, f"genetic result is {result}", SOURCE)


def _hemoglobin_is_low(hb: float | None, age_days: float | None) -> bool | None:
    if hb is None:
        return None
    if age_days is not None:
        return hb < (HEMOGLOBIN_BELOW_INFANT_G_L if age_days < INFANT_AGE_BELOW_DAYS else HEMOGLOBIN_BELOW_G_L)
    if hb < HEMOGLOBIN_BELOW_G_L:
        return True
    if hb >= HEMOGLOBIN_BELOW_INFANT_G_L:
        return False
    return None


def _cytopenia_decision(patient: Any) -> tuple[Status, dict[str, bool | None], int, int]:
    """Status, low-ness of each lineage, lineages low and lineages unknown."""
    plt, neut = patient.platelets_10e9_l, patient.neutrophils_10e9_l
    lineages = {"hemoglobin": _hemoglobin_is_low(patient.hemoglobin_g_l, patient.age_at_labs_days),
                "platelets": None if plt is None else plt < PLATELETS_BELOW_10E9_L,
                "neutrophils": None if neut is None else neut < NEUTROPHILS_BELOW_10E9_L}
    low = sum(v is True for v in lineages.values())
    unknown = sum(v is None for v in lineages.values())
    if low >= CYTOPENIA_LINEAGES_REQUIRED:
        status = Status.MET
    elif low + unknown < CYTOPENIA_LINEAGES_REQUIRED:
        status = Status.NOT_MET
    else:
        status = Status.NOT_EVALUABLE
    return status, lineages, low, unknown


def _lipid_decision(patient: Any) -> tuple[Status, bool | None, bool | None]:
    tg, fib = patient.triglycerides_mmol_l, patient.fibrinogen_g_l
    tg_hit = None if tg is None else tg >= TRIGLYCERIDES_AT_LEAST_MMOL_L
    fib_hit = None if fib is None else fib <= FIBRINOGEN_AT_MOST_G_L
    if tg_hit or fib_hit:
        status = Status.MET
    elif tg_hit is False and fib_hit is False:
        status = Status.NOT_MET
    else:
        status = Status.NOT_EVALUABLE
    return status, tg_hit, fib_hit


def _nk_status(nk: Any) -> Status:
    if nk is None:
        return Status.NOT_EVALUABLE
    return Status.MET if nk == "low_or_absent" else Status.NOT_MET


def _hemoglobin_low(hb: float | None, age_days: float | None) -> tuple[bool | None, str]:
    if hb is None:
        return None, "haemoglobin unknown"
    if age_days is not None:
        infant = age_days < INFANT_AGE_BELOW_DAYS
        limit = HEMOGLOBIN_BELOW_INFANT_G_L if infant else HEMOGLOBIN_BELOW_G_L
        who = f"age {age_days:g} d {'<' if infant else '>='} {INFANT_AGE_BELOW_DAYS:g} d"
        return hb < limit, f"Hb {hb:g} g/L {'<' if hb < limit else '>='} {limit:g} ({who})"
    if hb < HEMOGLOBIN_BELOW_G_L:
        return True, f"Hb {hb:g} g/L < {HEMOGLOBIN_BELOW_G_L:g} (low at any age)"
    if hb >= HEMOGLOBIN_BELOW_INFANT_G_L:
        return False, f"Hb {hb:g} g/L >= {HEMOGLOBIN_BELOW_INFANT_G_L:g} (not low at any age)"
    return None, f"Hb {hb:g} g/L: low only if age < 4 weeks, and age_at_labs_days is unknown"


def _lineage_text(name: str, value: float | None, low: bool | None, limit: float) -> str:
    if value is None:
        return f"{name} unknown"
    return f"{name} {value:g} {'<' if low else '>='} {limit:g} x10^9/L"


def _cytopenias(patient: Patient) -> ItemResult:
    hb, age = patient.hemoglobin_g_l, patient.age_at_labs_days
    plt, neut = patient.platelets_10e9_l, patient.neutrophils_10e9_l
    status, lineages, low, unknown = _cytopenia_decision(patient)
    _, hb_text = _hemoglobin_low(hb, age)
    texts = [hb_text,
             _lineage_text("platelets", plt, lineages["platelets"], PLATELETS_BELOW_10E9_L),
             _lineage_text("neutrophils", neut, lineages["neutrophils"], NEUTROPHILS_BELOW_10E9_L)]
    values = {"hemoglobin_g_l": hb, "age_at_labs_days": age, "platelets_10e9_l": plt,
              "neutrophils_10e9_l": neut, "lineages_low": low, "lineages_unknown": unknown}
    rule = ("at least 2 of: Hb < 90 g/L (< 100 g/L if age < 4 weeks), platelets < 100 x10^9/L, "
            "neutrophils < 1.0 x10^9/L")
    return ItemResult("cytopenias", "Cytopenias (>= 2 of 3 lineages)", status, values, rule,
                      f"{low} lineage(s) low, {unknown} unknown: " + "; ".join(texts), SOURCE)


def _lipids_fibrinogen(patient: Patient) -> ItemResult:
    tg, fib = patient.triglycerides_mmol_l, patient.fibrinogen_g_l
    status, tg_hit, fib_hit = _lipid_decision(patient)
    texts = ["triglycerides unknown" if tg is None else
             f"triglycerides {tg:g} mmol/L {'>=' if tg_hit else '<'} {TRIGLYCERIDES_AT_LEAST_MMOL_L:g}",
             "fibrinogen unknown" if fib is None else
             f"fibrinogen {fib:g} g/L {'<=' if fib_hit else '>'} {FIBRINOGEN_AT_MOST_G_L:g}"]
    return ItemResult(
        "triglycerides_fibrinogen", "Hypertriglyceridaemia and/or hypofibrinogenaemia", status,
        {"triglycerides_mmol_l": tg, "fibrinogen_g_l": fib},
        f"fasting triglycerides >= {TRIGLYCERIDES_AT_LEAST_MMOL_L:.1f} mmol/L (265 mg/dL) or fibrinogen "
        f"<= {FIBRINOGEN_AT_MOST_G_L:g} g/L", "; ".join(texts), SOURCE)


def _nk_activity(patient: Patient) -> ItemResult:
    nk = patient.nk_activity
    values = {"nk_activity": nk}
    rule = "NK-cell activity low or absent (local laboratory reference)"
    name = "Low or absent NK-cell activity"
    status = _nk_status(nk)
    if nk is None:
        return ItemResult("nk_activity", name, status, values, rule, "NK activity unknown", SOURCE)
    return ItemResult("nk_activity", name, status, values, rule, f"NK activity {nk}", SOURCE)


def hlh2004_items(patient: Patient) -> tuple[ItemResult, ...]:
    """The 8 clinical/laboratory criteria of HLH-2004, in the order of Henter 2007 Table I."""
    return (
        boolean_item("fever", "Fever", patient.fever, field_name="fever", source=SOURCE),
        boolean_item("splenomegaly", "Splenomegaly", patient.splenomegaly, field_name="splenomegaly", source=SOURCE),
        _cytopenias(patient),
        _lipids_fibrinogen(patient),
        boolean_item("hemophagocytosis", "Haemophagocytosis in bone marrow, spleen or lymph nodes",
                     patient.hemophagocytosis, field_name="hemophagocytosis", source=SOURCE),
        _nk_activity(patient),
        threshold_item("ferritin", "Ferritin >= 500 ug/L", patient.ferritin_ug_l, at_least=FERRITIN_AT_LEAST_UG_L,
                       field_name="ferritin_ug_l", unit="ug/L", source=SOURCE),
        threshold_item("scd25", "Soluble CD25 >= 2400 U/mL", patient.scd25_u_ml, at_least=SCD25_AT_LEAST_U_ML,
                       field_name="scd25_u_ml", unit="U/mL", source=SOURCE),
    )


def hlh2004_statuses(patient: Patient) -> tuple[Status, ...]:
    """The statuses of the 8 criteria (order of :data:`ITEM_IDS`), decided exactly as :func:`hlh2004_items`
    decides them but without building their texts."""
    return (
        tri_status(patient.fever),
        tri_status(patient.splenomegaly),
        _cytopenia_decision(patient)[0],
        _lipid_decision(patient)[0],
        tri_status(patient.hemophagocytosis),
        _nk_status(patient.nk_activity),
        threshold_status(patient.ferritin_ug_l, ">=", FERRITIN_AT_LEAST_UG_L),
        threshold_status(patient.scd25_u_ml, ">=", SCD25_AT_LEAST_U_ML),
    )


def _clinical_status(n_met: int, n_unknown: int) -> HLH2004Status:
    if n_met >= CRITERIA_REQUIRED:
        return "met"
    if n_met + n_unknown >= CRITERIA_REQUIRED:
        return "could_be_met"
    return "not_met"


def _overall_status(molecular: Status, clinical: HLH2004Status) -> HLH2004Status:
    """Met by the molecular path or the clinical criteria; open while either could still be met."""
    if molecular is Status.MET or clinical == "met":
        return "met"
    if clinical == "could_be_met" or molecular is Status.NOT_EVALUABLE:
        return "could_be_met"
    return "not_met"


def hlh2004(patient: Patient) -> HLH2004Result:
    """Assess HLH-2004 for one patient.

    Parameters
    ----------
    patient : Patient
        Laboratory values in the schema's canonical units (see :mod:`neurohlh.criteria.units` to convert).

    Returns
    -------
    HLH2004Result
        ``status`` is ``met`` if the molecular path or >= 5 of 8 criteria are met; ``not_met`` if the
        molecular path is known negative and fewer than 5 criteria could be met even if every unknown item
        were met; otherwise ``could_be_met``.

    Notes
    -----
    The molecular path counts ``genetic_result`` pathogenic / likely pathogenic; ``vus`` and ``negative``
    do not; ``not_tested`` or unknown leave it open. Family history (also accepted by Henter 2007) is not a
    schema field and is not assessed. "No evidence of malignancy", printed on the haemophagocytosis line, is
    not a ninth criterion.
    """
    assessed = _assessed(hlh2004_statuses(patient), _molecular_status(patient.genetic_result))
    return HLH2004Result(patient.patient_id, *assessed, patient)


_CODES = (Status.MET, Status.NOT_MET, Status.NOT_EVALUABLE)  # item statuses by code 0, 1, 2


def hlh2004_frame(patients: Any, records: Sequence[Any]) -> tuple[HLH2004Result, ...]:
    """:func:`hlh2004` of every patient at once, from the columns of the patients table.

    ``patients`` is the patients table (one row per patient, in the order of ``records``, whose objects the
    results keep as ``patient`` to explain their items when read). Each item is decided as
    :func:`hlh2004_statuses` decides it, column-wise instead of patient by patient (codes 0 met, 1 not met,
    2 not evaluable).
    """
    import numpy as np

    def number(name: str) -> Any:  # unknown = NaN, which compares False
        return patients[name].astype("Float64").to_numpy(dtype=float, na_value=np.nan)

    def yes_no(name: str) -> Any:
        column = patients[name].astype("boolean")
        return np.where(column.isna().to_numpy(), 2, np.where(column.fillna(False).to_numpy(dtype=bool), 0, 1))

    def threshold(values: Any, hit: Any) -> Any:
        return np.where(np.isnan(values), 2, np.where(hit, 0, 1))

    hb, age = number("hemoglobin_g_l"), number("age_at_labs_days")
    limit = np.where(age < INFANT_AGE_BELOW_DAYS, HEMOGLOBIN_BELOW_INFANT_G_L, HEMOGLOBIN_BELOW_G_L)
    age_known = ~np.isnan(age)
    # age unknown: low below 90 g/L at any age, not low from 100 g/L at any age, unknown in between
    hb_low = np.where(age_known, hb < limit, hb < HEMOGLOBIN_BELOW_G_L)
    hb_known = ~np.isnan(hb) & (age_known | (hb < HEMOGLOBIN_BELOW_G_L) | (hb >= HEMOGLOBIN_BELOW_INFANT_G_L))
    plt, neut = number("platelets_10e9_l"), number("neutrophils_10e9_l")
    low = (hb_known & hb_low).astype(int) + (plt < PLATELETS_BELOW_10E9_L) + (neut < NEUTROPHILS_BELOW_10E9_L)
    unknown = (~hb_known).astype(int) + np.isnan(plt) + np.isnan(neut)
    cytopenias = np.where(low >= CYTOPENIA_LINEAGES_REQUIRED, 0,
                          np.where(low + unknown < CYTOPENIA_LINEAGES_REQUIRED, 1, 2))
    tg, fib = number("triglycerides_mmol_l"), number("fibrinogen_g_l")
    tg_hit, fib_hit = tg >= TRIGLYCERIDES_AT_LEAST_MMOL_L, fib <= FIBRINOGEN_AT_MOST_G_L
    both_no = ~np.isnan(tg) & ~np.isnan(fib) & ~tg_hit & ~fib_hit
    lipids = np.where(tg_hit | fib_hit, 0, np.where(both_no, 1, 2))
    nk = patients["nk_activity"]
    nk_codes = np.where(nk.isna().to_numpy(), 2, np.where((nk == "low_or_absent").to_numpy(dtype=bool), 0, 1))
    ferritin, scd25 = number("ferritin_ug_l"), number("scd25_u_ml")
    codes = np.stack([
        yes_no("fever"), yes_no("splenomegaly"), cytopenias, lipids, yes_no("hemophagocytosis"), nk_codes,
        threshold(ferritin, ferritin >= FERRITIN_AT_LEAST_UG_L), threshold(scd25, scd25 >= SCD25_AT_LEAST_U_ML),
    ], axis=1)
    result = patients["genetic_result"]
    positive = np.zeros(len(result), dtype=bool)
    for value in sorted(MOLECULAR_DIAGNOSIS_RESULTS):  # compared, not hashed: enum members equal their strings
        positive |= (result == value).to_numpy(dtype=bool)
    molecular = np.where(positive, 0,
                         np.where((result.isna() | (result == "not_tested")).to_numpy(dtype=bool), 2, 1))
    # one key per combination of item statuses and molecular status: each combination is assessed once
    packed = (codes * 3 ** np.arange(codes.shape[1])).sum(axis=1) * 3 + molecular
    keys, first = np.unique(packed, return_index=True)
    assessed = {key: _assessed(tuple(_CODES[c] for c in codes[at].tolist()), _CODES[molecular[at]])
                for key, at in zip(keys.tolist(), first.tolist())}
    ids = patients["patient_id"].tolist()
    return tuple(HLH2004Result(pid, *assessed[key], record)
                 for pid, key, record in zip(ids, packed.tolist(), records, strict=True))


#: status, clinical_status, item_statuses, molecular_status, n_met, n_not_evaluable, n_required
_Assessment = tuple[HLH2004Status, HLH2004Status, tuple[Status, ...], Status, int, int, int]


def _assessed(statuses: tuple[Status, ...], molecular: Status) -> _Assessment:
    """The fields of an :class:`HLH2004Result` between ``patient_id`` and ``patient``, from the item statuses and
    the molecular status."""
    n_met = sum(st is Status.MET for st in statuses)
    n_unknown = sum(st is Status.NOT_EVALUABLE for st in statuses)
    clinical = _clinical_status(n_met, n_unknown)
    return _overall_status(molecular, clinical), clinical, statuses, molecular, n_met, n_unknown, CRITERIA_REQUIRED


def _reason(n_met: int, n_unknown: int, clinical: HLH2004Status, molecular: ItemResult) -> str:
    tally = f"{n_met}/{CRITERIA_TOTAL} criteria met, {n_unknown} not evaluable (>= {CRITERIA_REQUIRED} needed)"
    if molecular.status is Status.MET:
        return f"molecular diagnosis ({molecular.explanation}); {tally}"
    if clinical == "met":
        return tally
    if clinical == "could_be_met" or molecular.status is Status.NOT_EVALUABLE:
        open_paths = []
        if clinical == "could_be_met":
            open_paths.append(f"{CRITERIA_REQUIRED - n_met} more of the {n_unknown} unknown item(s) would suffice")
        if molecular.status is Status.NOT_EVALUABLE:
            open_paths.append(f"molecular path open ({molecular.explanation})")
        return f"{tally}; " + "; ".join(open_paths)
    return f"{tally}; molecular path not met ({molecular.explanation})"
