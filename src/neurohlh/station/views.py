"""HTTP views. Every view declares its roles with :func:`roles`; the check runs on the server for every request.

Reader and adjudicator views build their pages only from the pseudonymous study code, the age band and the
sheet; identifiers and clinical data are read by coordinator views only.
"""
from __future__ import annotations

import io
import shutil
import tempfile
import time
import zipfile
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import signing
from django.contrib.auth import authenticate, login, logout
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    QueryDict,
)
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from django.views.static import serve as static_serve

from neurohlh.errors import InputError
from neurohlh.station import audit, services, sheet
from neurohlh.station.compare import RULES, compare
from neurohlh.station.images import prefill
from neurohlh.station.models import (
    Adjudication,
    Amendment,
    Assignment,
    AuditEvent,
    Consensus,
    Read,
    ReadStatus,
    Role,
    Slot,
    Study,
    ToleranceRule,
)
from neurohlh.station.security import (
    actor_of,
    client_address,
    login_throttled,
    note_login,
    refuse,
)

View = Callable[..., HttpResponse]
STATIC_ROOT = Path(__file__).resolve().parent / "static"
ANONYMOUS = "anonymous"


def roles(*allowed: str) -> Callable[[View], View]:
    """Allow a view to these roles only (``anonymous`` = no login needed); checked on every request."""
    def wrap(view: View) -> View:
        @wraps(view)
        def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if ANONYMOUS not in allowed:
                if not request.user.is_authenticated:
                    return HttpResponseRedirect(f"{settings.LOGIN_URL}?next={request.path}")
                role = services.role_of(request.user)
                if role not in allowed:
                    return refuse(request, f"this page is not open to the {role or 'unassigned'} role", 403)
                request.station_role = role
            return view(request, *args, **kwargs)
        checked.station_roles = allowed  # type: ignore[attr-defined]  # read by the every-URL-as-every-role test
        return checked
    return wrap


def station_context(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    role = getattr(request, "station_role", None)
    return {"station_user": user.username if user is not None and user.is_authenticated else "",
            "station_role": role}


# ------------------------------------------------------------------ public


@roles(ANONYMOUS)
def static(request: HttpRequest, path: str) -> HttpResponse:
    return static_serve(request, path, document_root=str(STATIC_ROOT))


@roles(ANONYMOUS)
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    error = ""
    status = 200
    if request.method == "POST":
        username = request.POST.get("username", "")[:150]
        address = client_address(request)
        if login_throttled(username, address):
            audit.record(f"anonymous ({address})", "login_throttled", f"user {username}")
            error, status = "Too many failed logins: wait 15 minutes and try again.", 429
        else:
            user = authenticate(request, username=username, password=request.POST.get("password", ""))
            note_login(username, address, user is not None)
            if user is not None and services.role_of(user):
                login(request, user)
                audit.record(username, "login", f"user {username}")
                return HttpResponseRedirect("/")
            audit.record(f"anonymous ({address})", "login_failed", f"user {username}")
            error, status = "Wrong user name or password.", 401
    return render(request, "station/login.html", {"error": error}, status=status)


@roles(ANONYMOUS)
@require_http_methods(["POST"])
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit.record(request.user.username, "logout", f"user {request.user.username}")
    logout(request)
    return HttpResponseRedirect("/login/")


@roles(Role.COORDINATOR, Role.READER, Role.ADJUDICATOR)
def home(request: HttpRequest) -> HttpResponse:
    target = {Role.COORDINATOR: "/coordinator/", Role.READER: "/worklist/", Role.ADJUDICATOR: "/adjudicate/"}
    return HttpResponseRedirect(target[request.station_role])


# ------------------------------------------------------------------ reader


@roles(Role.READER)
def worklist(request: HttpRequest) -> HttpResponse:
    items = []
    reads = {r.assignment_id: r for r in Read.objects.filter(assignment__reader=request.user)}
    for a in services.visible_assignments(request.user):
        r = reads.get(a.pk)
        items.append({"id": a.pk, "code": a.study.code, "age_band": a.study.age_band, "position": a.position,
                      "repeat": a.slot == Slot.REPEAT, "status": r.get_status_display() if r else "not started"})
    return render(request, "station/worklist.html", {"items": items})


def _sheet_fields(values: dict[str, str], problems: dict[str, str]) -> list[dict[str, Any]]:
    out = []
    for group in sheet.groups():
        fields = []
        for name, spec in group.fields:
            value = values.get(name, "")
            chosen = set(value.split(";")) if value else set()
            fields.append({
                "name": name, "label": spec.description, "unit": spec.unit or "", "help": spec.paper or "",
                "kind": spec.kind.name, "value": value, "problem": problems.get(name, ""),
                "choices": [{"value": c, "label": c.replace("_", " "), "checked": c in chosen}
                            for c in spec.choices],
                "min": "" if spec.minimum is None else f"{spec.minimum:g}",
                "max": "" if spec.maximum is None else f"{spec.maximum:g}",
            })
        out.append({"title": group.title, "fields": fields})
    return out


def _open_key(assignment_id: int) -> str:
    return f"station_opened_{assignment_id}"


def _seconds_since_opened(request: HttpRequest, assignment_id: int) -> float:
    """Reading time since the sheet was opened or last saved (a signed cookie: no database write per page)."""
    try:
        opened = float(request.get_signed_cookie(_open_key(assignment_id), salt="reading-time", max_age=86400))
    except (KeyError, ValueError, TypeError, signing.BadSignature):
        return 0.0
    return max(0.0, time.time() - opened)


def _mark_opened(response: HttpResponse, assignment_id: int) -> None:
    response.set_signed_cookie(_open_key(assignment_id), str(time.time()), salt="reading-time", max_age=86400,
                               path=f"/read/{assignment_id}/", httponly=True, samesite="Strict",
                               secure=settings.SESSION_COOKIE_SECURE)


@roles(Role.READER)
@require_http_methods(["GET", "POST"])
def read_study(request: HttpRequest, assignment_id: int) -> HttpResponse:
    try:
        a = services.assignment_for(request.user, assignment_id)
    except LookupError:
        return refuse(request, "this study is not on your worklist", 404, assignment=assignment_id)
    problems: dict[str, str] = {}
    message = ""
    status = 200
    if request.method != "POST":
        read = Read.objects.filter(assignment=a).first()
        values = dict(read.values) if read else {}
    else:  # a save reads the stored read inside its own transaction
        action = request.POST.get("action", "save")
        if action not in ("save", "submit"):
            return refuse(request, "unknown action", action=action[:40])
        parsed = sheet.parse(request.POST, complete=action == "submit")
        if parsed.tampered:
            return refuse(request, "the form does not come from the sheet", tampered="; ".join(parsed.tampered)[:500])
        seconds = _seconds_since_opened(request, a.pk)
        try:
            result = services.save_read(request.user, a, parsed, action == "submit", seconds)
        except services.Refused as exc:
            return HttpResponse(f"{exc}\n", status=409, content_type="text/plain; charset=utf-8")
        read, values, problems = result.read, parsed.cells, result.problems
        if action == "submit" and problems:
            message, status = (f"Not submitted: {len(problems)} field(s) need a correction (saved as a draft).",
                               422)
        elif result.submitted:
            message = "Submitted."
        else:
            message = f"Draft saved at {timezone.localtime().strftime('%H:%M:%S')}."
        if request.headers.get("HX-Request") and action == "save" and not problems:
            fragment = render(request, "station/_saved.html", {"message": message})
            _mark_opened(fragment, a.pk)
            return fragment
    locked = read is not None and read.status == ReadStatus.SUBMITTED
    pending = read is not None and read.amendments.filter(approved__isnull=True).exists()
    response = render(request, "station/read.html", {
        "a": a, "code": a.study.code, "age_band": a.study.age_band,
        "groups": prefill.annotate(_sheet_fields(values, problems), a.study),
        "locked": locked, "message": message, "problems": problems, "pending_amendment": pending,
        "repeat": a.slot == Slot.REPEAT, "sheet_version": sheet.SHEET_VERSION, "sheet_hash": sheet.SHEET_HASH[:12],
        "status": read.get_status_display() if read else "not started",
    }, status=status)
    _mark_opened(response, a.pk)
    return response


@roles(Role.READER)
@require_http_methods(["POST"])
def request_amendment(request: HttpRequest, assignment_id: int) -> HttpResponse:
    try:
        a = services.assignment_for(request.user, assignment_id)
    except LookupError:
        return refuse(request, "this study is not on your worklist", 404, assignment=assignment_id)
    try:
        services.request_amendment(request.user, a, request.POST.get("reason", ""))
    except services.Refused as exc:
        return HttpResponse(f"{exc}\n", status=409, content_type="text/plain; charset=utf-8")
    return HttpResponseRedirect(f"/read/{a.pk}/")


# ------------------------------------------------------------------ adjudicator


@roles(Role.ADJUDICATOR)
def adjudication_queue(request: HttpRequest) -> HttpResponse:
    items = []
    for adj in Adjudication.objects.filter(adjudicator=request.user).select_related("study").order_by("id"):
        if services.adjudication_ready(adj):
            items.append({"id": adj.pk, "code": adj.study.code, "age_band": adj.study.age_band,
                          "fields": len(adj.discordant), "done": adj.completed_at is not None})
    return render(request, "station/queue.html", {"items": items})


def _ab_fields(adj: Adjudication, r1: Read, r2: Read, problems: dict[str, str], posted: Any) -> list[dict]:
    a_read, b_read = (r1, r2) if adj.study.a_is_reader_1 else (r2, r1)
    fields = []
    for group in _sheet_fields({}, problems):
        for f in group["fields"]:
            if f["name"] not in adj.discordant:
                continue
            f = dict(f)
            f["a"] = a_read.values.get(f["name"], "") or "unknown"
            f["b"] = b_read.values.get(f["name"], "") or "unknown"
            f["choice"] = posted.get(f"choice__{f['name']}", "") if posted else ""
            f["reason"] = posted.get(f"reason__{f['name']}", "") if posted else ""
            fields.append(f)
    return fields


@roles(Role.ADJUDICATOR)
@require_http_methods(["GET", "POST"])
def adjudicate(request: HttpRequest, adjudication_id: int) -> HttpResponse:
    try:
        adj = services.adjudication_for(request.user, adjudication_id)
    except LookupError:
        return refuse(request, "this study is not waiting for you", 404, adjudication=adjudication_id)
    r1, r2 = services.double_reads(adj.study)
    assert r1 is not None and r2 is not None
    problems: dict[str, str] = {}
    status = 200
    if request.method == "POST" and adj.completed_at is None:
        decisions, new_values, tampered = [], QueryDict(mutable=True), []
        for key in request.POST:
            if key == "csrfmiddlewaretoken":
                continue
            kind, _, name = key.partition("__")
            if name not in adj.discordant or kind not in ("choice", "reason", "new"):
                tampered.append(key[:60])
        for name in adj.discordant:
            choice = request.POST.get(f"choice__{name}", "")
            if choice not in ("", "A", "B", "new"):
                tampered.append(f"choice {choice[:20]!r} for {name}")
            if choice == "new":
                new_values.setlist(name, request.POST.getlist(f"new__{name}"))
            if choice:
                decisions.append(services.Decision(name, choice, "", request.POST.get(f"reason__{name}", "")))
        submitted, bad = sheet.read_form(new_values)
        tampered += bad
        if tampered:
            return refuse(request, "the form does not come from the adjudication page",
                          tampered="; ".join(tampered)[:500])
        cells = sheet.to_cells(submitted)
        _, value_problems = sheet.check({k: cells[k] for k in submitted}, complete=False)
        problems.update({k: v for k, v in value_problems.items() if k in submitted})
        if not problems:
            try:
                services.adjudicate(request.user, adj.pk, decisions, {k: cells[k] for k in submitted})
                return HttpResponseRedirect(f"/adjudicate/{adj.pk}/")
            except InputError as exc:
                problems.update({p.column or "": p.message for p in exc.problems})
            except services.Refused as exc:
                problems["general"] = str(exc)
        status = 422
    consensus = Consensus.objects.filter(study=adj.study).first()
    allocation = services.allocation_of(adj.study, consensus.values) if consensus else None
    return render(request, "station/adjudicate.html", {
        "adj": adj, "code": adj.study.code, "age_band": adj.study.age_band,
        "fields": _ab_fields(adj, r1, r2, problems, request.POST if request.method == "POST" else None),
        "problems": problems, "done": adj.completed_at is not None, "allocation": allocation,
        "decisions": _decisions_ab(adj),
    }, status=status)


def _decisions_ab(adj: Adjudication) -> list[dict[str, str]]:
    label = {"reader_1": "A" if adj.study.a_is_reader_1 else "B", "reader_2": "B" if adj.study.a_is_reader_1 else "A",
             "new": "new value"}
    return [{"field": d.field, "choice": label.get(d.choice, d.choice), "value": d.value or "unknown",
             "reason": d.reason} for d in adj.decisions.order_by("id")]


# ------------------------------------------------------------------ coordinator


@roles(Role.COORDINATOR)
def dashboard(request: HttpRequest) -> HttpResponse:
    from neurohlh.station.agreement import agreement_summary

    context = services.progress()
    context["agreement"] = agreement_summary()
    context["assigned"] = Assignment.objects.exists()
    template = "station/_progress.html" if request.headers.get("HX-Request") else "station/dashboard.html"
    return render(request, template, context)


@roles(Role.COORDINATOR)
def studies(request: HttpRequest) -> HttpResponse:
    rows = []
    for s in Study.objects.select_related("patient", "adjudicator").order_by("study_id"):
        rows.append({"s": s, "readers": ", ".join(
            f"{a.reader.username} ({a.slot})" for a in s.assignments.select_related("reader").order_by("slot")),
            "consensus": hasattr(s, "consensus")})
    return render(request, "station/studies.html", {"rows": rows})


@roles(Role.COORDINATOR)
def study_detail(request: HttpRequest, study_id: int) -> HttpResponse:
    s = Study.objects.select_related("patient").filter(pk=study_id).first()
    if s is None:
        raise Http404("no such study")
    r1, r2 = services.double_reads(s)
    comparison = compare(r1.values, r2.values, services.ensure_rules()) if r1 and r2 else []
    consensus = Consensus.objects.filter(study=s).first()
    allocation = services.allocation_of(s, consensus.values) if consensus else None
    adj = Adjudication.objects.filter(study=s).first()
    reads = Read.objects.filter(assignment__study=s).select_related("assignment__reader").order_by("assignment__slot")
    return render(request, "station/study.html", {
        "s": s, "reads": reads, "comparison": [c for c in comparison if c.how != "agreed"],
        "consensus": consensus, "allocation": allocation, "adj": adj,
        "decisions": _decisions_ab(adj) if adj else [],
        "provenance": sorted((consensus.provenance or {}).items()) if consensus else [],
    })


@roles(Role.COORDINATOR)
@require_http_methods(["GET", "POST"])
def import_view(request: HttpRequest) -> HttpResponse:
    message, error = "", ""
    if request.method == "POST":
        upload = request.FILES.get("cohort")
        try:
            if request.POST.get("demo") == "1":
                from neurohlh.datasets import demo_cohort_path

                summary = services.import_cohort(demo_cohort_path(), request.user.username)
            elif upload is not None and upload.name.lower().endswith(".xlsx"):
                with tempfile.TemporaryDirectory() as tmp:
                    path = Path(tmp) / "cohort.xlsx"
                    with path.open("wb") as fh:
                        for chunk in upload.chunks():
                            fh.write(chunk)
                    summary = services.import_cohort(path, request.user.username)
            else:
                raise InputError("choose a cohort workbook (.xlsx), or the bundled demo cohort")
            message = f"Imported {summary.studies} studies ({summary.patients} patients)." + (
                f" {len(summary.skipped)} studies were already on the worklist." if summary.skipped else "")
        except InputError as exc:
            error = str(exc)
    return render(request, "station/import.html", {"message": message, "error": error,
                                                   "studies": Study.objects.count()})


@roles(Role.COORDINATOR)
@require_http_methods(["GET", "POST"])
def assign_view(request: HttpRequest) -> HttpResponse:
    error, message = "", ""
    if request.method == "POST":
        try:
            seed_text = request.POST.get("seed", "").strip()
            seed = int(seed_text) if seed_text else None
            fraction = float(request.POST.get("repeat_percent", "0") or 0) / 100
            washout = int(request.POST.get("washout_days", "28") or 28)
            plan = services.assign_reading(request.user.username, seed, fraction, washout)
            message = f"Assigned {len(plan.pairs)} studies to {len(plan.worklists)} readers."
        except (ValueError, InputError, services.Refused) as exc:
            error = str(exc)
    from neurohlh.station.models import Reading

    return render(request, "station/assign.html", {"error": error, "message": message,
                                                   "reading": Reading.objects.first(),
                                                   "assigned": Assignment.objects.exists()})


@roles(Role.COORDINATOR)
@require_http_methods(["POST"])
def decide_amendment(request: HttpRequest, amendment_id: int) -> HttpResponse:
    decision = request.POST.get("decision", "")
    if decision not in ("approve", "refuse"):
        return refuse(request, "unknown decision", decision=decision[:20])
    if not Amendment.objects.filter(pk=amendment_id).exists():
        raise Http404("no such amendment")
    try:
        services.decide_amendment(request.user, amendment_id, decision == "approve")
    except services.Refused as exc:
        return HttpResponse(f"{exc}\n", status=409, content_type="text/plain; charset=utf-8")
    return HttpResponseRedirect("/coordinator/")


@roles(Role.COORDINATOR)
@require_http_methods(["GET", "POST"])
def rules_view(request: HttpRequest) -> HttpResponse:
    services.ensure_rules()
    error = ""
    if request.method == "POST":
        name = request.POST.get("field", "")
        rule = request.POST.get("rule", "")
        rows = ToleranceRule.objects.filter(field=name)
        if not rows.exists() or rule not in RULES:
            return refuse(request, "unknown field or rule", field=name[:60], rule=rule[:20])
        try:
            tolerance = float(request.POST.get("tolerance", "0") or 0)
            if tolerance < 0:
                raise ValueError
        except ValueError:
            error = "the tolerance must be a number of 0 or more"
        else:
            old = rows.first()
            assert old is not None
            audit.record(request.user.username, "tolerance_changed", f"field {name}",
                         {"old": f"{old.rule} {old.tolerance:g}", "new": f"{rule} {tolerance:g}"})
            rows.update(rule=rule, tolerance=tolerance)
    return render(request, "station/rules.html", {"rules": ToleranceRule.objects.order_by("field"),
                                                  "choices": RULES, "error": error})


@roles(Role.COORDINATOR)
def audit_view(request: HttpRequest) -> HttpResponse:
    events = AuditEvent.objects.order_by("-id")[:300]
    return render(request, "station/audit.html", {"events": events, "verification": audit.verify()})


@roles(Role.COORDINATOR)
@require_http_methods(["POST"])
def export_view(request: HttpRequest) -> HttpResponse:
    from neurohlh.station.export import export_cohort

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "station-export"
        summary = export_cohort(folder, actor=request.user.username)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for path in sorted(folder.iterdir()):
                z.write(path, f"station-export/{path.name}")
    buf.seek(0)
    name = f"station-export-{timezone.now():%Y%m%d-%H%M%S}.zip"
    response = FileResponse(buf, as_attachment=True, filename=name, content_type="application/zip")
    response["X-Station-Export"] = f"{summary.studies} studies"
    return response


def _analyses_root() -> Path:
    return Path(settings.STATION_DIR) / "analyses"


@roles(Role.COORDINATOR)
@require_http_methods(["GET", "POST"])
def analysis_view(request: HttpRequest) -> HttpResponse:
    from neurohlh.station.export import run_analysis

    error = ""
    if request.method == "POST":
        plan = request.POST.get("plan", "exact")
        if plan not in ("exact", "paper"):
            return refuse(request, "unknown analysis plan", plan=plan[:20])
        try:
            run = run_analysis(_analyses_root(), actor=request.user.username, plan=plan)
            return HttpResponseRedirect(f"/coordinator/analysis/{run}/report.html")
        except InputError as exc:
            error = str(exc)
    runs = sorted((p.name for p in _analyses_root().glob("*") if (p / "report" / "report.html").exists()),
                  reverse=True) if _analyses_root().exists() else []
    return render(request, "station/analysis.html", {"runs": runs, "error": error}, status=422 if error else 200)


@roles(Role.COORDINATOR)
def analysis_file(request: HttpRequest, run: str, path: str) -> HttpResponse:
    root = (_analyses_root() / run / "report").resolve()
    target = (root / path).resolve()
    if not run.replace("-", "").isalnum() or root not in target.parents or not target.is_file():
        raise Http404("no such report file")
    response = FileResponse(target.open("rb"))
    if target.suffix == ".html":  # the report is the analysis' own page: keep it sandboxed
        response["Content-Security-Policy"] = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox"
    return response


def cleanup_dir(path: Path) -> None:  # pragma: no cover - helper for commands
    shutil.rmtree(path, ignore_errors=True)


__all__ = ["actor_of", "roles"]


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return HttpResponse("Not found.\n", status=404, content_type="text/plain; charset=utf-8")
