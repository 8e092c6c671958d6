"""Suggestions and hints for values that are not accepted.

A suggestion is offered only when one accepted value is clearly the closest (or the value abbreviates exactly
one accepted value): ``flair3`` gets "did you mean 'flair'?", while ``P1`` among ``P10``...``P19`` and ``P21`` gets
nothing, because a guess between equally close
ids would be noise. Common clinical shorthand that is deliberately *not* read (``M``/``F``, ``het``/``hom``,
``+``/``-``) gets a hint saying what to write instead.
"""
from __future__ import annotations

import difflib
from collections.abc import Iterable

#: Similarity (difflib ratio, 0-1) a value needs to an accepted one before it is suggested.
MIN_SIMILARITY = 0.75

#: Shorthand that is not read, because a letter can mean different things in different sheets
#: (M = male, mother or missing): (abbreviations, the accepted value the hint applies to, the hint).
#: ``"yes"`` stands for yes/no cells.
SHORTHAND_HINTS: tuple[tuple[frozenset[str], str, str], ...] = (
    (frozenset({"m", "f"}), "male", "write 'male' or 'female' in full ('M' and 'F' are not read)"),
    (frozenset({"het"}), "heterozygous", "write 'heterozygous' ('het' is not read)"),
    (frozenset({"comp het", "compound het", "compound heterozygous"}), "heterozygous",
     "write 'heterozygous' on each of the two variant rows of a compound heterozygote"),
    (frozenset({"hom"}), "homozygous", "write 'homozygous' ('hom' is not read)"),
    (frozenset({"hemi"}), "hemizygous", "write 'hemizygous' ('hemi' is not read)"),
    (frozenset({"+", "-", "pos", "neg", "positive", "negative"}), "yes",
     "write 'yes' or 'no' ('+', '-', 'pos' and 'neg' are not read)"),
)


def _key(text: str) -> str:
    return "_".join(text.strip().lower().replace("-", " ").replace("/", " ").split())


def shorthand_hint(value: str, choices: Iterable[str] = ("yes", "no")) -> str | None:
    """The hint for a clinical abbreviation that is not read in a cell with these accepted values, or ``None``.

    >>> shorthand_hint("M", ["male", "female"])
    "write 'male' or 'female' in full ('M' and 'F' are not read)"
    >>> shorthand_hint("M", ["none", "single", "few", "multiple"]) is None
    True
    """
    text = " ".join(value.strip().lower().split())
    accepted = set(choices)
    return next((hint for abbreviations, target, hint in SHORTHAND_HINTS
                 if text in abbreviations and target in accepted), None)


def close_match(value: str, choices: Iterable[str]) -> str | None:
    """The one accepted value clearly closest to ``value``, or ``None`` when none is close or several tie.

    Letter case, spaces, hyphens and slashes are ignored first (``SEX`` -> ``sex``).

    >>> close_match("flair3", ["t1", "t2", "flair", "dwi"])
    'flair'
    >>> close_match("P1", ["P10", "P11", "P12", "P21"]) is None
    True
    >>> close_match("SEX", ["sex", "died"])
    'sex'
    >>> close_match("homo", ["heterozygous", "homozygous", "hemizygous"])
    'homozygous'
    """
    options = list(dict.fromkeys(choices))
    by_key = {_key(c): c for c in options}
    key = _key(value)
    if key in by_key:
        return by_key[key]
    if len(key) >= 3:  # an abbreviation of exactly one accepted value: homo -> homozygous
        longer = [c for k, c in by_key.items() if k.startswith(key)]
        if len(longer) == 1:
            return longer[0]
    scored = sorted(((difflib.SequenceMatcher(None, key, k).ratio(), c) for k, c in by_key.items()), reverse=True)
    if not scored or scored[0][0] < MIN_SIMILARITY:
        return None
    if len(scored) > 1 and scored[1][0] == scored[0][0]:
        return None
    return scored[0][1]


def suggestion(value: str, choices: Iterable[str], hints: bool = False) -> str | None:
    """``"did you mean 'x'?"`` or ``None``; with ``hints``, a shorthand hint comes first (cell values only)."""
    options = list(choices)
    hint = shorthand_hint(value, options) if hints else None
    if hint:
        return hint
    match = close_match(value, options)
    return f"did you mean '{match}'?" if match is not None and match != value else None
