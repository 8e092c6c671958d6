"""The REDCap project of the toolkit, generated from :mod:`neurohlh.schema`: instruments, variables, choices,
validation, branching (written as a data dictionary by :mod:`neurohlh.redcap`).

One REDCap record is one patient. Instruments:

* ``patient`` (not repeating): the record id (``record_id``, the patient id) and every patient field;
* ``mr_read`` (repeating): one instance per read of one MR study (the paper's data-collection sheet);
* ``variant`` (repeating): one instance per reported variant.

The patient's site is the REDCap *data access group* of the record, not a field of the instrument: a
multi-centre project gives each site its group, which also keeps each site's records to its own users.

Variable names are the schema's column names, except where REDCap's rules need another one
(:data:`REDCAP_NAMES`: names of at most 26 characters, unique across the project). Choice codes are the
schema's values (``male``, ``hlh_2004``, ``periventricular``), so a raw export holds the same words as the
toolkit's own files. Branching logic hides an item only when the item it depends on is answered *no* (or
*none*), never while that item is unknown.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from neurohlh.schema import RECORD_TYPES, FieldSpec, Kind, field_specs

#: The data dictionary's 18 columns, in REDCap's order, with its exact headers.
DICTIONARY_HEADERS: tuple[str, ...] = (
    "Variable / Field Name", "Form Name", "Section Header", "Field Type", "Field Label",
    "Choices, Calculations, OR Slider Labels", "Field Note", "Text Validation Type OR Show Slider Number",
    "Text Validation Min", "Text Validation Max", "Identifier?", "Branching Logic (Show field only if...)",
    "Required Field?", "Custom Alignment", "Question Number (surveys only)", "Matrix Group Name", "Matrix Ranking?",
    "Field Annotation",
)
#: The same columns as the API's metadata export names them.
METADATA_NAMES: tuple[str, ...] = (
    "field_name", "form_name", "section_header", "field_type", "field_label", "select_choices_or_calculations",
    "field_note", "text_validation_type_or_show_slider_number", "text_validation_min", "text_validation_max",
    "identifier", "branching_logic", "required_field", "custom_alignment", "question_number", "matrix_group_name",
    "matrix_ranking", "field_annotation",
)

RECORD_ID = "record_id"
#: instrument (REDCap form name) -> (cohort table, label, repeating)
INSTRUMENTS: dict[str, tuple[str, str, bool]] = {
    "patient": ("patients", "Patient", False),
    "mr_read": ("studies", "MR read", True),
    "variant": ("variants", "Variant", True),
}
TABLE_INSTRUMENT = {table: form for form, (table, _, _) in INSTRUMENTS.items()}

#: (table, schema column) -> REDCap variable name, where the schema's name breaks REDCap's rules.
REDCAP_NAMES: dict[tuple[str, str], str] = {
    ("patients", "age_at_cns_presentation_months"): "age_at_cns_months",
    ("patients", "death_weeks_after_diagnosis"): "death_weeks_after_dx",
    ("patients", "deficit_months_after_diagnosis"): "deficit_months_after_dx",
    ("studies", "ventriculomegaly_obstructive"): "ventriculomegaly_obstr",
    ("studies", "cerebellar_folia_effacement"): "cerebellar_folia_effaced",
    ("studies", "fourth_ventricle_obstruction"): "fourth_ventricle_obstr",
    ("studies", "pontine_enhancing_lesion_count"): "pontine_enhancing_count",
    ("studies", "largest_enhancing_nodule_mm"): "largest_enh_nodule_mm",
    ("studies", "notes"): "mr_notes",  # 'notes' is the patient instrument's
}
#: Columns that are the record itself (the record id) rather than a variable of their instrument.
RECORD_COLUMNS: dict[str, str] = {"patients": "patient_id", "studies": "patient_id", "variants": "patient_id"}
#: Columns that REDCap holds outside the instruments.
OUTSIDE_INSTRUMENTS: dict[tuple[str, str], str] = {("patients", "site"): "redcap_data_access_group"}

#: Dates are identifiers (HIPAA Safe Harbor): REDCap's de-identified exports leave them out.
IDENTIFIERS = frozenset({("patients", "birth_date"), ("studies", "study_date")})

#: Shown only when the item named is not answered "no" (yes/no items) or "none" (lesion number).
_COMPARTMENT_ITEMS = ("lesion_type", "wm_level", "t2_signal", "dwi_restriction", "enhancement", "target_lesions",
                      "target_variants")
BRANCHING: dict[tuple[str, str], str] = {
    ("patients", "secondary_etiology"): "[hlh_type] <> 'primary'",
    ("patients", "secondary_etiology_detail"): "[hlh_type] <> 'primary'",
    ("patients", "csf_wbc_per_ul"): "[csf_done] <> '0'",
    ("patients", "csf_protein_mg_dl"): "[csf_done] <> '0'",
    ("patients", "death_weeks_after_diagnosis"): "[died] <> '0'",
    ("patients", "deficit_months_after_diagnosis"): "[deficit_free] <> '1'",
    ("patients", "protein_expression_pct"): "[protein_expression_assay] <> ''",
    ("patients", "protein_expression_verdict"): "[protein_expression_assay] <> ''",
    **{("studies", f"{c}_{item}"): f"[{c}_lesion_number] <> 'none'" for c in ("supra", "infra")
       for item in _COMPARTMENT_ITEMS},
    ("studies", "supra_enhancement_pattern"): "[supra_lesion_number] <> 'none' and [supra_enhancement] <> '0'",
    ("studies", "infra_enhancement_pattern"): "[infra_lesion_number] <> 'none' and [infra_enhancement] <> '0'",
    ("studies", "deep_grey_laterality"): "[loc_deep_grey] <> '0'",
    ("studies", "loc_pons_dorsal"): "[loc_pons] <> '0'",
    ("studies", "ventriculomegaly_obstructive"): "[ventriculomegaly] <> '0'",
    ("studies", "nonspecific_findings_text"): "[nonspecific_findings] <> '0'",
}

#: Choice labels that are not the code with its first letter capitalised and underscores as spaces.
CHOICE_LABELS: dict[str, str] = {
    "hlh_94": "HLH-94", "hlh_2004": "HLH-2004", "vus": "VUS (variant of uncertain significance)",
    "munc13_4": "Munc13-4", "munc18_2": "Munc18-2", "syntaxin_11": "Syntaxin-11", "sap": "SAP", "xiap": "XIAP",
    "t1": "T1", "t2": "T2", "flair": "FLAIR", "dwi": "DWI", "t1_postcontrast": "T1 post-contrast", "swi": "SWI",
    "reader_1": "Reader 1", "reader_2": "Reader 2", "consensus": "Consensus (used for analysis)",
    "adjudicator": "Adjudicator (third reader)", "cns_restricted": "CNS-restricted", "not_done": "Not done",
    "low_or_absent": "Low or absent",
}

_NOTES_FIELDS = frozenset({"notes", "secondary_etiology_detail", "nonspecific_findings_text", "inheritance_notes"})


@dataclass(frozen=True, slots=True)
class RedcapField:
    """One REDCap variable and the schema column it carries."""

    name: str
    form: str
    table: str
    column: str
    spec: FieldSpec
    field_type: str
    label: str
    choices: tuple[tuple[str, str], ...] = ()
    validation: str = ""
    minimum: str = ""
    maximum: str = ""
    section: str = ""
    note: str = ""
    branching: str = ""
    identifier: bool = False
    required: bool = False

    def row(self) -> tuple[str, ...]:
        """The field's data dictionary row (18 cells)."""
        return (
            self.name, self.form, self.section, self.field_type, self.label, choices_text(self.choices), self.note,
            self.validation, self.minimum, self.maximum, "y" if self.identifier else "", self.branching,
            "y" if self.required else "", "", "", "", "", "",
        )

    @property
    def checkbox_columns(self) -> tuple[str, ...]:
        """The export columns of a checkbox (``field___code``); empty for other types."""
        return tuple(f"{self.name}___{code}" for code, _ in self.choices) if self.field_type == "checkbox" else ()


def choice_label(code: str) -> str:
    return CHOICE_LABELS.get(code, code.replace("_", " ").capitalize())


def choices_text(choices: tuple[tuple[str, str], ...]) -> str:
    return " | ".join(f"{code}, {label}" for code, label in choices)


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _field(table: str, column: str, spec: FieldSpec, form: str, section: str) -> RedcapField:
    name = REDCAP_NAMES.get((table, column), column)
    label = spec.description + (f" ({spec.unit})" if spec.unit else "")
    choices = tuple((c, choice_label(c)) for c in spec.choices)
    kw: dict[str, object] = {}
    if spec.kind is Kind.BOOL:
        field_type = "yesno"
    elif spec.kind is Kind.ENUM:
        field_type = "radio" if len(choices) <= 6 else "dropdown"
    elif spec.kind is Kind.SET:
        field_type = "checkbox"
    elif spec.kind is Kind.TEXT and column in _NOTES_FIELDS:
        field_type = "notes"
    else:
        field_type = "text"
        kw["validation"] = {Kind.INT: "integer", Kind.FLOAT: "number", Kind.DATE: "date_ymd"}.get(spec.kind, "")
        if spec.kind in (Kind.INT, Kind.FLOAT):
            kw["minimum"], kw["maximum"] = _number(spec.minimum), _number(spec.maximum)
    note = "; ".join(filter(None, [f"unit: {spec.unit}" if spec.unit else "",
                                   f"paper: {spec.paper}" if spec.paper else ""]))
    branching = BRANCHING.get((table, column), "")
    for (t, c), new in REDCAP_NAMES.items():  # branching is written with schema names; use the REDCap ones
        if t == table:
            branching = branching.replace(f"[{c}]", f"[{new}]")
    return RedcapField(
        name=name, form=form, table=table, column=column, spec=spec, field_type=field_type, label=label,
        choices=choices if field_type in ("radio", "dropdown", "checkbox") else (), section=section, note=note,
        branching=branching, identifier=(table, column) in IDENTIFIERS, required=spec.required,
        **kw,  # type: ignore[arg-type]
    )


def redcap_fields() -> tuple[RedcapField, ...]:
    """Every REDCap variable of the project, in dictionary order (the record id first)."""
    out: list[RedcapField] = [RedcapField(
        name=RECORD_ID, form="patient", table="patients", column="patient_id",
        spec=field_specs(RECORD_TYPES["patients"])["patient_id"], field_type="text",
        label="Patient ID (pseudonymised; never a hospital number or name)", section="Identity",
        note="The REDCap record id: one record per patient", required=True,
    )]
    for form, (table, _, _) in INSTRUMENTS.items():
        previous_group = "identity" if form == "patient" else ""
        for column, spec in field_specs(RECORD_TYPES[table]).items():
            if column == RECORD_COLUMNS[table] or (table, column) in OUTSIDE_INSTRUMENTS:
                continue
            section = spec.group.capitalize() if spec.group != previous_group else ""
            previous_group = spec.group
            out.append(_field(table, column, spec, form, section))
    return tuple(out)


VARIABLE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
