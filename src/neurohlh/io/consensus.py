"""The consensus read of an MR study, derived from two independent reads and an adjudication.

The paper's reading protocol: two neuroradiologists fill the data-collection sheet independently; where they
agree, that answer is the consensus; where they disagree, a third neuroradiologist (the adjudicator) decides.
:func:`derive_consensus` applies this field by field and records where each consensus value came from
(``agreed`` or ``adjudicated``). :func:`consensus_from_reads` does it for a whole studies table at load time:

* a study with ``reader_1`` and ``reader_2`` reads needs no ``consensus`` row: it is derived;
* a ``consensus`` row that is given is checked against the derivation: a value that contradicts what both readers
  agreed on, or what the adjudicator decided, is a located problem;
* a disagreement with neither an adjudicated value nor a consensus row is a located problem;
* an adjudicator value on a field both readers agreed on is a located problem (the adjudicator resolves
  disagreements only; leave that cell empty).

An empty cell is a read too (*unknown*): one reader answering and the other leaving the cell empty is a
disagreement. Free-text fields (``notes``, ``nonspecific_findings_text``) are not compared: the consensus takes the
adjudicator's text, else the readers' text when it is the same, else both texts labelled by reader.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from neurohlh.errors import Problem
from neurohlh.schema import Kind, Reader, Study, field_specs

_SPECS = field_specs(Study)
#: Identity columns: never compared, taken from the reads.
IDENTITY_FIELDS = ("study_id", "patient_id", "reader")
#: Free-text columns: combined, never compared.
TEXT_FIELDS = tuple(n for n, s in _SPECS.items() if s.kind == Kind.TEXT)
#: Every field of the data-collection sheet that the two readers must agree on (or the adjudicator decide).
CONSENSUS_FIELDS = tuple(n for n in _SPECS if n not in IDENTITY_FIELDS and n not in TEXT_FIELDS)

AGREED, ADJUDICATED, UNRESOLVED = "agreed", "adjudicated", "unresolved"


@dataclass(frozen=True, slots=True)
class ConsensusRead:
    """The consensus of one study's reads, field by field.

    Attributes
    ----------
    values : dict
        Field -> consensus value for every field of :data:`CONSENSUS_FIELDS` and the free-text fields
        (``None`` = unknown, or not decided where the field is ``unresolved``).
    provenance : dict
        Field of :data:`CONSENSUS_FIELDS` -> ``"agreed"`` (both readers gave this value, including both empty),
        ``"adjudicated"`` (the readers disagreed and the adjudicator decided) or ``"unresolved"`` (the readers
        disagreed and no adjudicated value is given).
    disagreements : tuple of str
        Fields on which the two readers differ (adjudicated or not).
    unresolved : tuple of str
        Disagreements without an adjudicated value.
    overruled : tuple of str
        Fields both readers agreed on where the adjudicator wrote a different value (a data problem).
    """

    values: dict[str, Any]
    provenance: dict[str, str]
    disagreements: tuple[str, ...]
    unresolved: tuple[str, ...]
    overruled: tuple[str, ...]

    @property
    def complete(self) -> bool:
        """True when every field has a consensus value and nothing contradicts an agreement."""
        return not self.unresolved and not self.overruled

    @property
    def adjudicated(self) -> tuple[str, ...]:
        return tuple(f for f in self.disagreements if self.provenance[f] == ADJUDICATED)


def _value(read: Any, name: str) -> Any:
    value = read.get(name) if isinstance(read, Mapping) else getattr(read, name, None)
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and value != value:
        return None
    return value  # enum members of a record equal the strings of a frame


def same_read(a: Any, b: Any) -> bool:
    """Two cell values are the same read (``None`` = unknown equals only ``None``)."""
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, (set, frozenset)) or isinstance(b, (set, frozenset)):
        return frozenset(a) == frozenset(b) if isinstance(a, (set, frozenset)) and isinstance(b, (set, frozenset)) \
            else False
    return bool(a == b)


def derive_consensus(reader_1: Mapping[str, Any] | Any, reader_2: Mapping[str, Any] | Any,
                     adjudicator: Mapping[str, Any] | Any | None = None) -> ConsensusRead:
    """Consensus of two reads of one study, with the adjudicator's values where they disagree.

    Parameters
    ----------
    reader_1, reader_2, adjudicator
        Each a mapping field -> typed value as in :class:`neurohlh.schema.Study` (``None`` = not filled), or a
        ``Study`` record. The adjudicator's read may fill only the disputed fields.

    Examples
    --------
    >>> r1 = {"supra_lesion_number": "few", "loc_pons": True, "swi_blooming": None}
    >>> r2 = {"supra_lesion_number": "multiple", "loc_pons": True, "swi_blooming": None}
    >>> c = derive_consensus(r1, r2, {"supra_lesion_number": "multiple"})
    >>> c.values["supra_lesion_number"], c.provenance["supra_lesion_number"], c.provenance["loc_pons"]
    ('multiple', 'adjudicated', 'agreed')
    >>> derive_consensus(r1, r2).unresolved
    ('supra_lesion_number',)
    """
    values: dict[str, Any] = {}
    provenance: dict[str, str] = {}
    disagreements, unresolved, overruled = [], [], []
    for name in CONSENSUS_FIELDS:
        a, b = _value(reader_1, name), _value(reader_2, name)
        c = None if adjudicator is None else _value(adjudicator, name)
        if same_read(a, b):
            values[name], provenance[name] = a, AGREED
            if c is not None and not same_read(c, a):
                overruled.append(name)
        else:
            disagreements.append(name)
            if c is None:
                values[name], provenance[name] = None, UNRESOLVED
                unresolved.append(name)
            else:
                values[name], provenance[name] = c, ADJUDICATED
    for name in TEXT_FIELDS:
        a, b = _value(reader_1, name), _value(reader_2, name)
        c = None if adjudicator is None else _value(adjudicator, name)
        if c is not None:
            values[name] = c
        elif a == b or b is None:
            values[name] = a
        elif a is None:
            values[name] = b
        else:
            values[name] = f"reader_1: {a} | reader_2: {b}"
    return ConsensusRead(values, provenance, tuple(disagreements), tuple(unresolved), tuple(overruled))


# ---------------------------------------------------------------- a whole studies table


def _without(result: ConsensusRead, fields: set[str]) -> ConsensusRead:
    """``result`` with ``fields`` taken out of every check (their cells are already reported)."""
    keep = [f for f in result.disagreements if f not in fields]
    return ConsensusRead(
        result.values, {f: (UNRESOLVED if f in fields else p) for f, p in result.provenance.items()}, tuple(keep),
        tuple(f for f in result.unresolved if f not in fields), tuple(f for f in result.overruled if f not in fields))


def shown(value: Any) -> str:
    """A read as the user wrote it: yes/no, a set joined by ';', whole numbers without '.0', '(empty)'."""
    if value is None:
        return "(empty)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (set, frozenset)):
        return ";".join(sorted(value)) or "(none)"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def study_reads(studies: pd.DataFrame, *, double_read_only: bool = False) -> dict[str, dict[str, dict[str, Any]]]:
    """``study_id -> reader -> read`` (a dict of typed values plus ``_row``) for studies read once per reader.

    Studies with a reader given twice are left out (that duplicate is reported by the loader's key check).
    ``double_read_only`` keeps only the studies with at least one read besides the consensus (a reader_1,
    reader_2 or adjudicator row): the only ones consensus derivation and reader agreement look at, so a cohort
    of consensus reads costs nothing here.
    """
    out: dict[str, dict[str, dict[str, Any]]] = {}
    usable = studies[studies["study_id"].notna() & studies["reader"].notna()]
    if double_read_only:
        independent = usable["reader"] != Reader.CONSENSUS.value
        usable = usable[usable["study_id"].isin(usable.loc[independent, "study_id"])]
    dup = usable.duplicated(["study_id", "reader"], keep=False)
    bad = set(usable.loc[dup, "study_id"])
    names = [n for n in _SPECS if n in usable.columns]
    for record in usable[names + ["_row"]].astype(object).to_dict("records"):
        if record["study_id"] in bad:
            continue
        read = {name: _value(record, name) for name in _SPECS} | {"_row": record["_row"]}
        out.setdefault(record["study_id"], {})[record["reader"]] = read
    return out


def consensus_from_reads(studies: pd.DataFrame, label: str, bad_cells: frozenset[tuple[int, str]] = frozenset()
                         ) -> tuple[pd.DataFrame, list[Problem], list[str]]:
    """Derive the missing consensus reads of a typed studies table and check the given ones against the reads.

    ``bad_cells`` are the (row, column) cells already reported as unreadable: a field with such a cell in any of
    the study's reads is not compared again (one problem per cause). Returns the derived consensus rows (schema
    columns plus ``_row``, the reader-1 row they come from), every problem located by file, row and column, and
    notes for the user.
    """
    problems: list[Problem] = []
    derived: list[dict[str, Any]] = []
    r1k, r2k, adk, cok = (Reader.READER_1.value, Reader.READER_2.value, Reader.ADJUDICATOR.value,
                          Reader.CONSENSUS.value)
    n_adjudicated = 0
    for sid, reads in study_reads(studies, double_read_only=True).items():
        given = reads.get(cok)
        if r1k not in reads or r2k not in reads:
            if given is None:
                first = min(r["_row"] for r in reads.values())
                have = ", ".join(sorted(reads))
                problems.append(Problem(
                    label, f"study has reads ({have}) but no consensus read, and none can be derived without both "
                    "a reader_1 and a reader_2 read", int(first), "reader", sid,
                    "add the missing independent read, or a row with reader 'consensus'"))
            continue
        adj = reads.get(adk)
        result = derive_consensus(reads[r1k], reads[r2k], adj)
        unreadable = {name for name in CONSENSUS_FIELDS for r in reads.values() if (r["_row"], name) in bad_cells}
        if unreadable:
            result = _without(result, unreadable)
        n_adjudicated += bool(result.adjudicated)
        for name in result.overruled:
            assert adj is not None  # only an adjudicator can overrule
            problems.append(Problem(
                label, f"the adjudicator's {name} differs from the value both readers agree on "
                f"({shown(result.values[name])}); the adjudicator decides disagreements only",
                int(adj["_row"]), name, shown(adj[name]), "leave this cell empty"))
        if given is not None:
            for name in CONSENSUS_FIELDS:
                source = result.provenance[name]
                if source == UNRESOLVED or same_read(given[name], result.values[name]):
                    continue
                by = "both readers" if source == AGREED else "the adjudicator"
                problems.append(Problem(
                    label, f"the consensus read contradicts the reads: {by} gave {shown(result.values[name])}",
                    int(given["_row"]), name, shown(given[name]),
                    f"write {shown(result.values[name])}, or delete the consensus row to derive it from the reads"))
            continue
        for name in result.unresolved:
            where = adj if adj is not None else reads[r2k]
            problems.append(Problem(
                label, f"reader_1 and reader_2 disagree on {name} ({shown(reads[r1k][name])} vs "
                f"{shown(reads[r2k][name])}) and there is no adjudicated value", int(where["_row"]), name,
                shown(where[name]) if adj is not None else None,
                "fill this field in the study's adjudicator row (add one with reader 'adjudicator'), or give a "
                "consensus row"))
        if result.complete and not unreadable:
            row = {name: reads[r1k][name] for name in ("study_id", "patient_id")}
            row |= {"reader": cok, **result.values, "_row": reads[r1k]["_row"]}
            derived.append(row)
    notes = []
    if derived:
        notes.append(f"{len(derived)} consensus read(s) derived from reader_1 / reader_2 reads "
                     f"({n_adjudicated} with adjudicated fields)")
    columns = list(_SPECS) + ["_row"]
    frame = pd.DataFrame(derived, columns=columns)
    return frame, problems, notes


def append_consensus(studies: pd.DataFrame, derived: pd.DataFrame) -> pd.DataFrame:
    """The studies table with the derived consensus rows appended, in the table's dtypes.

    Column ``_derived`` is True on the appended rows (their ``_row`` is the reader-1 row they come from).
    """
    studies = studies.assign(_derived=False)
    if derived.empty:
        return studies
    derived = derived.assign(_derived=True)
    typed = derived.astype({c: studies[c].dtype for c in derived.columns if c in studies.columns}, errors="ignore")
    for name in derived.columns:
        if str(studies[name].dtype) == "object":
            typed[name] = derived[name].astype(object).where(derived[name].notna(), None)
    return pd.concat([studies, typed[studies.columns]], ignore_index=True)


__all__ = [
    "ADJUDICATED",
    "AGREED",
    "CONSENSUS_FIELDS",
    "TEXT_FIELDS",
    "UNRESOLVED",
    "ConsensusRead",
    "append_consensus",
    "consensus_from_reads",
    "derive_consensus",
    "same_read",
    "study_reads",
]
