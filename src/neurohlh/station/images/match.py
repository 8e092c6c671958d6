"""Which worklist study each DICOM study is: a mapping file, or the patient ID and the study date.

The mapping file is a CSV with a header ``dicom_study,study_id``: ``dicom_study`` is the DICOM study's Study
Instance UID or its Accession Number, ``study_id`` the worklist study. Without a mapping file, a DICOM study matches
the worklist study whose patient has the DICOM Patient ID as ``patient_id`` and whose ``study_date`` is the DICOM
Study Date (exports pseudonymised upstream carry the research ID in Patient ID).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from neurohlh.errors import Problem
from neurohlh.station.images.scan import SourceFile
from neurohlh.station.models import Study

COLUMNS = ("dicom_study", "study_id")


def read_mapping(path: Path) -> tuple[dict[str, str], list[Problem]]:
    """``dicom_study -> study_id`` and the problems of the file (every one, located by line)."""
    name = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        return {}, [Problem(name, f"cannot be read as UTF-8 text ({exc})")]
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        return {}, [Problem(name, f"the header must be '{','.join(COLUMNS)}'; missing: {', '.join(missing)}",
                            row=1)]
    out: dict[str, str] = {}
    problems: list[Problem] = []
    known = set(Study.objects.values_list("study_id", flat=True))
    for line, row in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
        key, study_id = row.get("dicom_study", ""), row.get("study_id", "")
        if not key and not study_id:
            continue
        if not key or not study_id:
            problems.append(Problem(name, "both dicom_study and study_id are needed", row=line))
            continue
        if study_id not in known:
            problems.append(Problem(name, "study_id is not on the worklist", row=line, column="study_id",
                                    value=study_id))
            continue
        if key in out and out[key] != study_id:
            problems.append(Problem(name, f"dicom_study already mapped to {out[key]!r} on an earlier line",
                                    row=line, column="dicom_study", value=key))
            continue
        out[key] = study_id
    return out, problems


def _date(text: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(text.strip(), "%Y%m%d").date()
    except ValueError:
        return None


def match(studies: dict[str, list[SourceFile]], mapping: dict[str, str] | None) -> tuple[dict[str, Study],
                                                                                          list[Problem]]:
    """DICOM Study Instance UID -> worklist study, and a located problem for every study that matches none."""
    out: dict[str, Study] = {}
    problems: list[Problem] = []
    for study_uid, files in studies.items():
        first = files[0]
        where = f"study of {first.relative}"
        header = first.header
        if mapping is not None:
            accession = str(header.get("AccessionNumber", "") or "")
            study_id = mapping.get(study_uid) or (mapping.get(accession) if accession else None)
            if study_id is None:
                problems.append(Problem(where, "neither its Study Instance UID nor its Accession Number is in the "
                                               "mapping file"))
                continue
            out[study_uid] = Study.objects.get(study_id=study_id)
            continue
        patient_id = str(header.get("PatientID", "") or "")
        date = _date(str(header.get("StudyDate", "") or ""))
        if not patient_id or date is None:
            problems.append(Problem(where, "no Patient ID or Study Date to match it with the worklist; give a "
                                           "mapping file (dicom_study,study_id)"))
            continue
        candidates = list(Study.objects.filter(patient__patient_id=patient_id, study_date=date))
        if not candidates:
            problems.append(Problem(where, f"no worklist study of patient {patient_id!r} on {date.isoformat()}; "
                                           f"give a mapping file (dicom_study,study_id)"))
        elif len(candidates) > 1:
            problems.append(Problem(where, f"{len(candidates)} worklist studies of patient {patient_id!r} on "
                                           f"{date.isoformat()}; give a mapping file (dicom_study,study_id)"))
        else:
            out[study_uid] = candidates[0]
    by_study: dict[int, list[str]] = {}
    for study_uid, study in out.items():
        by_study.setdefault(study.pk, []).append(study_uid)
    for uids in by_study.values():
        if len(uids) > 1:
            names = ", ".join(studies[u][0].relative for u in uids)
            problems.append(Problem(f"study of {studies[uids[0]][0].relative}",
                                    f"{len(uids)} DICOM studies match the same worklist study "
                                    f"{out[uids[0]].study_id!r} (studies of {names})"))
    return out, problems
