"""Identifiers that look alike: ``P01`` and ``p01``, or ``P01`` with a Cyrillic ``Р``, are different patients to a
computer and the same patient to a reader. Two ids of one column that differ only in case, width or look-alike
letters are a located problem; an id that mixes Latin letters with look-alike Cyrillic or Greek ones is a warning.
"""
from __future__ import annotations

import unicodedata

import pandas as pd

from neurohlh.errors import Problem

#: Cyrillic and Greek letters drawn like Latin ones, and the Latin letter each is mistaken for.
CONFUSABLES = str.maketrans({
    **dict(zip("АВЕЅІЈКМНОРСТХУаеіјорсухѕԁԛԝ", "ABESIJKMHOPCTXYaeijopcyxsdqw")),
    **dict(zip("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧαικνορτυχ", "ABEZHIKMNOPTYXaiKvopTuX")),
})

#: The identifier columns checked, per table.
ID_COLUMNS = {"patients": ("patient_id",), "studies": ("study_id",), "variants": ()}


def skeleton(text: str) -> str:
    """What an identifier looks like: compatibility-normalised, look-alike letters mapped to Latin, case folded."""
    return unicodedata.normalize("NFKC", text).translate(CONFUSABLES).casefold()


def _look_alike_letters(text: str) -> list[str]:
    return [c for c in text if c.translate(CONFUSABLES) != c]


def _difference(first: str, other: str) -> str:
    letters = _look_alike_letters(first) + _look_alike_letters(other)
    if letters:
        c = letters[0]
        return f"only in look-alike letters ({unicodedata.name(c, f'U+{ord(c):04X}')} instead of the Latin " \
               f"'{c.translate(CONFUSABLES)}')"
    if first.casefold() == other.casefold():
        return "only in upper/lower case"
    return "only in the width or form of its characters"


def look_alike_ids(frames: dict[str, pd.DataFrame | None], labels: dict[str, str]) -> tuple[list[Problem], list[str]]:
    """Problems for ids that differ from an earlier id of their column only in how they look; warnings (notes) for
    ids mixing Latin with look-alike Cyrillic or Greek letters."""
    problems: list[Problem] = []
    notes: list[str] = []
    for table, columns in ID_COLUMNS.items():
        frame = frames.get(table)
        if frame is None or not len(frame):
            continue
        for column in columns:
            values = frame[column]
            present = values.notna()
            if not present.any():
                continue
            distinct = values[present].drop_duplicates()
            texts = distinct.tolist()
            positions = [i for i, t in enumerate(texts) if not t.isascii()]
            keys = [t.casefold() if t.isascii() else skeleton(t) for t in texts]
            row_of = frame.loc[distinct.index, "_row"].tolist()
            seen: dict[str, int] = {}
            clashing = []
            for i, key in enumerate(keys):
                if key in seen:
                    clashing += [seen[key], i]
                else:
                    seen[key] = i
            first_of: dict[str, tuple[str, int]] = {}
            for i in sorted(set(clashing)):
                key, value, row = keys[i], texts[i], int(row_of[i])
                if key not in first_of:
                    first_of[key] = (value, row)
                    continue
                first, first_row = first_of[key]
                problems.append(Problem(
                    labels[table], f"{column} looks like '{first}' on row {first_row} but differs "
                    f"{_difference(first, value)}", row, column, value,
                    "write the same id the same way everywhere; if these are different, give ids that differ in "
                    "more than how they look"))
            for i in positions:
                value = texts[i]
                letters = _look_alike_letters(value)
                if letters and any("a" <= c.lower() <= "z" or c.isdigit() for c in value if c not in letters):
                    notes.append(f"warning: {labels[table]}, row {int(row_of[i])}, column '{column}': "
                                 f"{value!r} mixes Latin letters or digits with the look-alike "
                                 f"{unicodedata.name(letters[0], 'letter')}")
    return problems, notes
