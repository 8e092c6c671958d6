"""The rules as named objects: one status vocabulary, decision and trace from the same rule, ranked groups,
the methods text built from the rule constants, and keyword-only patient allocations."""
from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neurohlh.patterns import classify_study, rules
from neurohlh.patterns.evidence import EVIDENCE_FIELDS, Evidence
from neurohlh.patterns.patient import PatientAllocation
from neurohlh.patterns.study import decide
from neurohlh.patterns.trace import Status
from neurohlh.schema import Study

ALL_RULES = (rules.LESION_RULE, *rules.SUBPATTERN_RULES.rules, *rules.PATTERN_2_RULES.rules)
GROUPS = (rules.SUBPATTERN_RULES, rules.PATTERN_2_RULES)
TRI = st.sampled_from([None, True, False])


@st.composite
def evidences(draw) -> Evidence:
    values = {f: draw(TRI) for f in EVIDENCE_FIELDS}
    for f in ("supra_lesion_number", "infra_lesion_number"):
        values[f] = draw(st.sampled_from([None, "none", "single", "few", "multiple"]))
    values["pontine_enhancing_lesion_count"] = draw(st.sampled_from([None, 0, 3, 4, 12]))
    values["sequences"] = draw(st.sampled_from([None, frozenset({"t1", "t2"}), frozenset({"t1", "t1_postcontrast"})]))
    return Evidence(**values)


def test_rule_names_are_unique_and_every_read_field_is_evidence():
    assert len({r.name for r in ALL_RULES}) == len(ALL_RULES)
    for rule in ALL_RULES:
        assert set(rule.reads) <= set(EVIDENCE_FIELDS), rule.name
        assert rule.section and rule.methods


@settings(max_examples=300, deadline=None)
@given(ev=evidences())
def test_a_rule_returns_its_verdict_and_its_trace_step_together(ev):
    for rule in ALL_RULES:
        verdict, step = rule(ev)
        assert verdict.status in (Status.MET, Status.NOT_MET, Status.NOT_EVALUABLE)
        assert (step.rule, step.status, step.section) == (rule.name, verdict.status, rule.section)
        assert step.outcome
        # a rule that cannot decide names unknown fields it reads (or `sequences` without a post-contrast T1:
        # enhancement is then not evaluable); one that decides names none
        assert bool(verdict.missing) == (verdict.status is Status.NOT_EVALUABLE)
        assert all(getattr(ev, f) is None or (f, ev.contrast_given) == ("sequences", False) for f in verdict.missing)
        assert set(verdict.missing) <= set(rule.reads)


@settings(max_examples=300, deadline=None)
@given(ev=evidences())
def test_a_ranked_group_decides_as_its_trace_reads(ev):
    for group in GROUPS:
        value, missing = group.decide(ev)
        steps = group.trace(ev)
        names = [r.name for r in group.rules]
        assert [s.rule for s in steps] == names[:len(steps)]  # tried in rank order, none skipped
        if value == group.undetermined:
            assert missing and steps[-1].status is Status.NOT_EVALUABLE
            # the unknown fields come from the rules that were not evaluable, highest rank first
            blocking = [f for s, r in zip(steps, group.rules) if s.status is Status.NOT_EVALUABLE
                        for f in r.check(ev).missing]
            assert missing == tuple(dict.fromkeys(blocking))
        else:
            assert not missing and steps[-1].status is Status.MET
            assert group.rules[len(steps) - 1].assigns == value
            assert all(s.status is Status.NOT_MET for s in steps[:-1])


def test_a_rule_met_below_an_unknown_one_is_not_assigned():
    # CTT hyperintensity with cerebellar atrophy unknown: "isolated" CTT cannot be called (paper: pattern 2
    # "central tegmental tract T2-hyperintensity as an isolated finding")
    ev = Evidence(supra_lesion_number="none", infra_lesion_number="none", atrophy_cerebral=False,
                  atrophy_cerebellar=None, ctt_t2_hyperintensity=True, nonspecific_findings=False)
    assert rules.PATTERN_2_RULES.decide(ev) == ("indeterminate", ("atrophy_cerebellar",))
    last = rules.PATTERN_2_RULES.trace(ev)[-1]
    assert (last.rule, last.status) == ("pattern2_isolated_ctt", "not_evaluable")
    assert "cannot call it isolated" in last.outcome and "atrophy_cerebellar" in last.outcome


def test_swelling_implied_by_an_infratentorial_none_is_written_once():
    # the 1.3 rule and its explanation read the same Evidence.swelling
    ev = Evidence(supra_lesion_number="few", infra_lesion_number="none", loc_cerebral_wm=True)
    assert ev.cerebellar_diffuse_edema is None and ev.swelling is False
    verdict, step = rules.SUBPATTERN_RULES.rules[0](ev)
    assert verdict == rules.NOT_MET and "implied by infra_lesion_number = none" in step.outcome


def test_present_reads_unknown_as_not_evaluable_never_as_no():
    check = rules.present("nonspecific_findings")
    assert check(Evidence()) == rules.not_evaluable(("nonspecific_findings",))
    assert check(Evidence(nonspecific_findings=False)) == rules.NOT_MET


def test_the_memo_never_reads_1_as_yes():
    # 1 == True and hash(1) == hash(True): values are checked before the memo is consulted
    yes = tuple(True if f == "loc_cerebral_wm" else None for f in EVIDENCE_FIELDS)
    decide(yes)
    with pytest.raises(Exception, match="loc_cerebral_wm"):
        decide(tuple(1 if v is True else v for v in yes))


def test_methods_text_takes_its_thresholds_and_phrases_from_the_rules(monkeypatch):
    text = rules.methods_text()
    assert f"more than {rules.PONTINE_LESIONS_ABOVE} enhancing pontine lesions" in text
    positions = [text.index(r.methods) for r in (*rules.SUBPATTERN_RULES.rules, *rules.PATTERN_2_RULES.rules)]
    assert positions == sorted(positions)  # in rank order
    brainstem = rules.SUBPATTERN_RULES.rules[1]
    changed = dataclasses.replace(brainstem, methods="1.2 with more than 5 enhancing pontine lesions")
    group = dataclasses.replace(rules.SUBPATTERN_RULES, rules=(rules.SUBPATTERN_RULES.rules[0], changed,
                                                               rules.SUBPATTERN_RULES.rules[2]))
    monkeypatch.setattr(rules, "SUBPATTERN_RULES", group)
    assert "more than 5 enhancing" in rules.methods_text() and "more than 3" not in rules.methods_text()


def test_the_report_methods_paragraph_uses_the_rules_text(demo_result):
    from neurohlh.reports.build import build_tables, methods_text

    assert rules.methods_text() in methods_text(demo_result, build_tables(demo_result))


def test_patient_allocation_fields_are_given_by_name():
    a = PatientAllocation(patient_id="P1", pattern="2", order_basis="single study")
    assert a.studies == () and a.red_flag is None and a.missing_fields == ()
    with pytest.raises(TypeError):
        PatientAllocation("P1", "2", "single study")  # type: ignore[misc]


def test_a_classified_study_keeps_its_evidence_by_name():
    s = Study(study_id="S1", patient_id="P1", reader="consensus", supra_lesion_number="few", loc_cerebral_wm=True)
    a = classify_study(s)
    assert isinstance(a.evidence, Evidence) and a.evidence.loc_cerebral_wm is True
    assert a.value("supra_lesion_number") == "few"


def test_evidence_holds_plain_values_when_a_record_holds_enum_members():
    from enum import StrEnum
    from types import SimpleNamespace

    class Number(StrEnum):
        FEW = "few"

    class Sequence(StrEnum):
        T1_POSTCONTRAST = "t1_postcontrast"

    read = SimpleNamespace(**{f: None for f in EVIDENCE_FIELDS})
    read.supra_lesion_number, read.sequences = Number.FEW, frozenset({Sequence.T1_POSTCONTRAST})
    ev = Evidence.of(read)
    assert type(ev.supra_lesion_number) is str and ev.sequences == frozenset({"t1_postcontrast"})
    assert all(type(v) is str for v in ev.sequences) and ev.contrast_given is True
