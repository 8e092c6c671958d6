"""Security headers, a strict content security policy, CSRF failures logged, login throttling."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.utils import timezone

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
#: Failed logins allowed per user name, and per client address, in the window before logins are refused.
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_ADDRESS = 20
WINDOW = dt.timedelta(minutes=15)


class StationBackend(ModelBackend):
    """Django's user name and password backend; the user of every request is loaded with its station role
    (``Member``) in the same query, which the role check of each view then reads."""

    def get_user(self, user_id: Any) -> Any:
        model = get_user_model()
        try:
            user = model._default_manager.select_related("member").get(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


class SecurityHeadersMiddleware:
    """CSP, no caching of any station page (they carry reads), no browser features the station does not use.

    A response marked ``station_private_cache`` (the viewer's rendered slices: pixels only) keeps its own
    ``Cache-Control: private`` so that the reader's browser alone may keep it for a while.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = CSP
        response["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), interest-cohort=()"
        response["Cross-Origin-Resource-Policy"] = "same-origin"
        if not request.path.startswith("/static/") and not getattr(response, "station_private_cache", False):
            response["Cache-Control"] = "no-store"
        return response


def client_address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))[:64]


def actor_of(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    return user.username if user is not None and user.is_authenticated else f"anonymous ({client_address(request)})"


def refuse(request: HttpRequest, what: str, status: int = 400, **detail: Any) -> HttpResponse:
    """Refuse a request that the station's pages cannot produce, and log it."""
    from neurohlh.station import audit

    audit.record(actor_of(request), "request_refused", f"{request.method} {request.path}"[:200],
                 {"why": what, **{k: str(v) for k, v in detail.items()}})
    response = HttpResponse(f"Refused: {what}. This request was logged.\n", status=status,
                            content_type="text/plain; charset=utf-8")
    return response


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    response = refuse(request, "missing or wrong CSRF token", status=403, reason=reason)
    return HttpResponseForbidden(response.content, content_type="text/plain; charset=utf-8")


def login_throttled(username: str, address: str) -> bool:
    from neurohlh.station.models import LoginAttempt

    since = timezone.now() - WINDOW
    recent = LoginAttempt.objects.filter(at__gte=since, ok=False)
    return (recent.filter(username=username).count() >= MAX_FAILURES_PER_USER
            or recent.filter(address=address).count() >= MAX_FAILURES_PER_ADDRESS)


def note_login(username: str, address: str, ok: bool) -> None:
    from neurohlh.station.models import LoginAttempt

    LoginAttempt.objects.create(username=username[:150], address=address, at=timezone.now(), ok=ok)
