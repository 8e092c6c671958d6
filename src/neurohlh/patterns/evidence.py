"""What the study rules read: one :class:`Evidence` record per MR study read, and the checks on its values.

``Evidence`` names every study field a pattern rule reads, so a rule says ``ev.loc_pons``, never a position.
It is a typed named tuple: immutable, hashable (identical reads share one memoised decision) and cheap to
build from a row of the cohort's columns, which keeps classifying 250k studies fast. ``None`` is *unknown*.

The facts several rules need (a compartment read ``none`` covers its locations, diffuse cerebellar swelling,
effacement, contrast, pons dominance) are written once here, as methods of ``Evidence``.
"""
from __future__ import annotations

from enum import Enum
from operator import attrgetter
from typing import Any, NamedTuple

from neurohlh.errors import InputError

#: Lesion-number values that mean parenchymal lesions are present.
POSITIVE_NUMBERS = frozenset({"single", "few", "multiple"})
NUMBER_VALUES = frozenset({"none"}) | POSITIVE_NUMBERS
NUMBER_FIELDS = ("supra_lesion_number", "infra_lesion_number")
#: Location fields and the compartment whose lesion number covers them (``none`` there = known lesion-free).
LOCATION_COMPARTMENT = {
    "loc_cerebral_wm": "supra_lesion_number",
    "loc_deep_grey": "supra_lesion_number",
    "loc_cerebellar_wm": "infra_lesion_number",
    "loc_midbrain": "infra_lesion_number",
    "loc_pons": "infra_lesion_number",
    "loc_medulla": "infra_lesion_number",
    "cerebellar_diffuse_edema": "infra_lesion_number",
}
LESION_FIELDS = NUMBER_FIELDS + tuple(LOCATION_COMPARTMENT)
NONLESIONAL_FIELDS = ("atrophy_cerebral", "atrophy_cerebellar", "ctt_t2_hyperintensity", "nonspecific_findings")
SUBPATTERN_FIELDS = ("pontine_enhancing_lesion_count", "pons_dominant_site")
#: Subpattern 1.3 needs effacement of the cerebellar folia and/or the cerebellopontine cisterns (Results).
EFFACEMENT_FIELDS = ("cerebellar_folia_effacement", "cp_cistern_effacement")
#: Findings outside the brain parenchyma (listed by the paper under "Imaging Findings in Pattern 1").
EXTRAPARENCHYMAL_FIELDS = ("loc_cranial_nerves", "loc_optic_nerve", "loc_cord", "loc_cauda_equina")
#: ``sequences`` tells whether a post-contrast T1 was acquired (enhancement is not evaluable without it).
CONTRAST_FIELD, CONTRAST_SEQUENCE = "sequences", "t1_postcontrast"
#: Fields read to infer pons dominance: all known lesion-free -> the pons is the dominant site.
OTHER_THAN_PONS = ("supra_lesion_number", "loc_cerebral_wm", "loc_deep_grey", "loc_cerebellar_wm", "loc_midbrain",
                   "loc_medulla", "cerebellar_diffuse_edema")


class Evidence(NamedTuple):
    """The values of one MR study read that the pattern rules use (``None`` = unknown).

    Build it with :meth:`of` from a :class:`neurohlh.schema.Study` (or any object with these attributes).
    """

    supra_lesion_number: str | None = None
    infra_lesion_number: str | None = None
    loc_cerebral_wm: bool | None = None
    loc_deep_grey: bool | None = None
    loc_cerebellar_wm: bool | None = None
    loc_midbrain: bool | None = None
    loc_pons: bool | None = None
    loc_medulla: bool | None = None
    cerebellar_diffuse_edema: bool | None = None
    atrophy_cerebral: bool | None = None
    atrophy_cerebellar: bool | None = None
    ctt_t2_hyperintensity: bool | None = None
    nonspecific_findings: bool | None = None
    pontine_enhancing_lesion_count: float | None = None
    pons_dominant_site: bool | None = None
    cerebellar_folia_effacement: bool | None = None
    cp_cistern_effacement: bool | None = None
    loc_cranial_nerves: bool | None = None
    loc_optic_nerve: bool | None = None
    loc_cord: bool | None = None
    loc_cauda_equina: bool | None = None
    sequences: frozenset[str] | None = None

    @classmethod
    def of(cls, study: Any) -> Evidence:
        """The evidence of one study read, enum members as their plain values (the rules compare strings).

        The values are checked by :func:`check_evidence`, not here.
        """
        return cls._make(map(plain_value, _read(study)))

    def values(self, names: tuple[str, ...]) -> dict[str, Any]:
        """``{field: value}`` for ``names``, in that order (what a trace step shows)."""
        return {n: getattr(self, n) for n in names}

    def known(self, name: str) -> bool | None:
        """A location finding with the compartment rule: blank in a compartment read ``none`` is a known no."""
        value = getattr(self, name)
        if value is None and getattr(self, LOCATION_COMPARTMENT[name]) == "none":
            return False
        return value

    @property
    def swelling(self) -> bool | None:
        """Diffuse cerebellar swelling; an infratentorial lesion number of ``none`` means none."""
        edema = self.cerebellar_diffuse_edema  # known("cerebellar_diffuse_edema"), written out: a hot path
        return False if edema is None and self.infra_lesion_number == "none" else edema

    @property
    def effacement(self) -> bool | None:
        """Effacement of the cerebellar folia or the cerebellopontine cisterns: yes if either, no if both no."""
        folia, cistern = self.cerebellar_folia_effacement, self.cp_cistern_effacement
        if folia is True or cistern is True:
            return True
        return False if folia is False and cistern is False else None

    @property
    def contrast_given(self) -> bool | None:
        """Post-contrast T1 acquired (True), known not acquired (``sequences`` given without it) or unknown."""
        return None if self.sequences is None else CONTRAST_SEQUENCE in self.sequences

    @property
    def no_pontine_lesions(self) -> bool:
        """The pons is known lesion-free (``loc_pons`` no, or the infratentorial compartment read ``none``)."""
        return self.loc_pons is False or self.infra_lesion_number == "none"

    @property
    def pons_only(self) -> bool:
        """The pons has lesions and every other compartment and location is known lesion-free (pons dominant).

        A supratentorial lesion number of ``none`` covers the cerebral and deep grey locations; in the posterior
        fossa the cerebellum, midbrain, medulla and diffuse swelling must each be known no.
        """
        pons = self.loc_pons is True or (self.pontine_enhancing_lesion_count or 0) > 0
        supra_free = (self.supra_lesion_number == "none" and self.loc_cerebral_wm is not True
                      and self.loc_deep_grey is not True)
        infra_free = self.loc_cerebellar_wm is False and self.loc_midbrain is False and self.loc_medulla is False
        return pons and supra_free and infra_free and self.swelling is False

    @property
    def extraparenchymal_findings(self) -> tuple[str, ...]:
        """The extra-parenchymal fields (cranial nerves, optic nerve, cord, cauda equina) read yes."""
        return tuple(f for f in EXTRAPARENCHYMAL_FIELDS if getattr(self, f) is True)


#: Every study field the rules read, in the order of :class:`Evidence`.
EVIDENCE_FIELDS: tuple[str, ...] = Evidence._fields
#: Fields whose values only support a decision and never change it (kept for the trace).
SUPPORTIVE_FIELDS: tuple[str, ...] = ()
_read = attrgetter(*EVIDENCE_FIELDS)


def plain_value(value: Any) -> Any:
    """An enum member (or a set of them) as its plain value; anything else unchanged.

    A string enum member equals its value but does not hash like it, so ``member in {"none"}`` could be False.
    """
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, frozenset) and any(isinstance(v, Enum) for v in value):
        return frozenset(v.value if isinstance(v, Enum) else v for v in value)
    return value


def value_problem(name: str, value: Any) -> str | None:
    """Why the rules cannot read ``value`` for evidence field ``name`` (``None`` when it is readable)."""
    if value is None:
        return None
    if name in NUMBER_FIELDS:
        ok = isinstance(value, str) and value in NUMBER_VALUES
        return None if ok else f"`{name}` must be one of none, single, few, multiple (or None for unknown); " \
                               f"got {value!r}"
    if name == "pontine_enhancing_lesion_count":
        ok = type(value) in (int, float) and value >= 0 and value == int(value)
        return None if ok else f"`{name}` must be a whole number >= 0 (or None); got {value!r}"
    if name == CONTRAST_FIELD:
        ok = isinstance(value, frozenset) and all(isinstance(v, str) for v in value)
        return None if ok else f"`{name}` must be a frozenset of sequence names (or None); got {value!r}"
    return None if value is True or value is False else f"`{name}` must be True, False or None (unknown); " \
                                                          f"got {value!r}"


def check_evidence(values: tuple[Any, ...]) -> None:
    """Reject values the rules cannot read (``InputError``), instead of silently treating them as unknown."""
    if len(values) != len(EVIDENCE_FIELDS):
        raise InputError(f"a study needs {len(EVIDENCE_FIELDS)} evidence values ({', '.join(EVIDENCE_FIELDS)}); "
                         f"got {len(values)}")
    for name, value in zip(EVIDENCE_FIELDS, values):
        problem = value_problem(name, value)
        if problem:
            raise InputError(problem)


__all__ = [
    "Evidence", "EVIDENCE_FIELDS", "SUPPORTIVE_FIELDS", "value_problem", "check_evidence", "plain_value",
    "POSITIVE_NUMBERS", "NUMBER_FIELDS", "LOCATION_COMPARTMENT", "LESION_FIELDS", "NONLESIONAL_FIELDS",
    "SUBPATTERN_FIELDS", "EFFACEMENT_FIELDS", "EXTRAPARENCHYMAL_FIELDS", "CONTRAST_FIELD", "CONTRAST_SEQUENCE",
    "OTHER_THAN_PONS",
]
