"""What every page shares: the session, the language, CSRF, rendering, errors and headers.

Every page but sign-in needs a session: without one the answer is a 303 redirect to
``/sign-in``. The signed-in user is put in ``g.user``, where :mod:`web.auth` finds it, so the
pages ask the same :class:`~application.access.Policy` as the API, with the same messages.
Every POST must carry the session's CSRF token (``csrf_token``); without it the view does not
run and nothing is stored.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, g, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from application.accounts import Unauthenticated
from application.sessions import ActiveSession
from web import i18n
from web.pages.context import households, sessions
from web.problems import Problem, from_exception, from_http_exception, log

SESSION_COOKIE = "chungtay_session"
LANG_COOKIE = "chungtay_lang"
CSRF_FIELD = "csrf_token"
PUBLIC_ENDPOINTS = frozenset({"pages.sign_in.form", "pages.sign_in.submit", "pages.static"})

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)

pages = Blueprint(
    "pages",
    __name__,
    template_folder="../templates",
    static_folder="../static",
    static_url_path="/static",
)


# -- per request ---------------------------------------------------------------------------------


def active_session() -> ActiveSession | None:
    """The session of this request (None on the sign-in page without one)."""
    return g.get("web_session")


def lang() -> str:
    """The language of this request."""
    return g.get("lang", i18n.DEFAULT_LANGUAGE)


def t(key: str, **params: object) -> str:
    """A message in this request's language."""
    return i18n.translate(key, lang(), **params)


def safe_next(target: str | None) -> str:
    """A local path to return to after signing in (never another site)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("pages.dashboard.page")


@pages.before_request
def open_page() -> Response | None:
    """Language, session and CSRF, before any page view runs."""
    if request.endpoint == "pages.static":
        return None
    asked = request.args.get("lang")
    g.lang = i18n.normalise(asked or request.cookies.get(LANG_COOKIE))
    session = sessions().resolve(request.cookies.get(SESSION_COOKIE))
    if session is not None:
        g.web_session = session
        g.user = session.user
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if session is None:
        expired = SESSION_COOKIE in request.cookies
        params = {"next": request.full_path.rstrip("?")}
        if expired:
            params["expired"] = "1"
        resp = redirect(url_for("pages.sign_in.form") + "?" + urlencode(params), code=303)
        if expired:
            resp.delete_cookie(SESSION_COOKIE, path="/")
        return resp
    if request.method == "POST" and not session.csrf_matches(request.form.get(CSRF_FIELD)):
        return render_error(403, t("csrf.refused"))
    return None


@pages.after_request
def close_page(resp: Response) -> Response:
    """Remember the language asked for; pages are private and never framed."""
    asked = request.args.get("lang")
    if asked in i18n.LANGUAGES:
        resp.set_cookie(
            LANG_COOKIE, asked, max_age=365 * 86400, samesite="Strict", secure=request.is_secure
        )
    if request.endpoint != "pages.static":
        resp.headers.setdefault("Cache-Control", "no-store")
        resp.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["Referrer-Policy"] = "same-origin"
    return resp


# -- rendering -----------------------------------------------------------------------------------


def _zone_moment(moment: datetime | str | None) -> str:
    if moment is None:
        return t("fig.na")
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    local = moment.astimezone(households().zone)
    if lang() == "vi":
        return local.strftime("%d/%m/%Y %H:%M:%S")
    return local.strftime("%Y-%m-%d %H:%M:%S")


def fmt_date(day: date | str | None) -> str:
    """A date as people write it: 31/12/2020 in Vietnamese, 2020-12-31 in English."""
    if day is None:
        return t("fig.na")
    if isinstance(day, str):
        day = date.fromisoformat(day)
    return day.strftime("%d/%m/%Y") if lang() == "vi" else day.isoformat()


def fmt_int(n: int | None) -> str:
    """A whole number with the language's thousands separator (1.500.000 / 1,500,000)."""
    if n is None:
        return t("fig.na")
    text = f"{n:,}"
    return text.replace(",", ".") if lang() == "vi" else text


def fmt_pct(x: float | None, digits: int = 1) -> str:
    """A percentage (48,9 % / 48.9%)."""
    if x is None:
        return t("fig.na")
    text = f"{x:.{digits}f}"
    return f"{text.replace('.', ',')} %" if lang() == "vi" else f"{text}%"


def lang_switch_url() -> str:
    """This page in the other language."""
    other = "en" if lang() == "vi" else "vi"
    args = request.args.to_dict(flat=False)
    args["lang"] = [other]
    return request.path + "?" + urlencode(args, doseq=True)


@pages.app_template_filter("brief")
def brief(value: Any, limit: int = 160) -> str:
    """A fact's field in a table cell: lists joined, records by name or count, long text cut."""
    if isinstance(value, dict):
        text = ", ".join(f"{k}={v}" for k, v in value.items() if v not in (None, "", [], {}))
    elif isinstance(value, list | tuple):
        if value and all(isinstance(v, dict) for v in value):
            names = [str(v.get("name") or v.get("code") or "") for v in value]
            text = f"{len(value)}: " + ", ".join(n for n in names if n)
        else:
            text = ", ".join(str(v) for v in value)
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@pages.app_context_processor
def page_context() -> dict[str, Any]:
    """What every template may use."""
    session = active_session()
    return {
        "t": t,
        "w": lambda kind, code: i18n.word(kind, code, lang()),
        "lang": lang(),
        "user": session.user if session else None,
        "csrf_token": session.csrf_token if session else "",
        "fmt_date": fmt_date,
        "fmt_moment": _zone_moment,
        "fmt_int": fmt_int,
        "fmt_pct": fmt_pct,
        "lang_switch_url": lang_switch_url,
        "zip": zip,
    }


def render(template: str, http_status: int = 200, **context: Any) -> tuple[str, int]:
    """A page (``status`` is free for templates: the household's status object)."""
    return render_template(template, **context), http_status


def render_error(status: int, detail: str, **context: Any) -> Response:
    """The error page (same frame as every page, so the user can go on)."""
    title = t(f"error.{status}") if f"error.{status}" in i18n.MESSAGES else t("error.title")
    body = render_template("error.html", status=status, title=title, detail=detail, **context)
    return Response(body, status=status, mimetype="text/html")


# -- errors --------------------------------------------------------------------------------------


@pages.errorhandler(Exception)
def page_error(error: Exception) -> Response:
    """Errors of a page as a page: 403 with the policy's reason, 404, 422 with the fields."""
    if isinstance(error, Unauthenticated):
        return redirect(url_for("pages.sign_in.form", expired="1"), code=303)  # type: ignore[return-value]
    if isinstance(error, HTTPException):
        problem = from_http_exception(error)
    else:
        problem = from_exception(error) or _unexpected(error)
    return render_error(problem.status, problem.detail)


def _unexpected(error: Exception) -> Problem:
    log.exception("unexpected error on a page", exc_info=error)
    return Problem(500, "an unexpected error occurred; it has been logged")
