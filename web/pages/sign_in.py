"""``/sign-in`` and ``/sign-out``: a token pasted once opens a server-side session.

The session cookie is HttpOnly, SameSite=Strict, Secure when the page is served over HTTPS, and
expires with the session. The sign-in form has no session yet, so it is protected against
cross-site posting by a double-submit token: a random value in a short-lived cookie that the
form must repeat.
"""

from __future__ import annotations

import hmac
import secrets

from flask import Blueprint, Response, g, make_response, redirect, request, url_for

from application.accounts import Unauthenticated
from application.sessions import LIFETIME
from web.context import sessions
from web.pages.frame import (
    SESSION_COOKIE,
    active_session,
    render,
    render_error,
    safe_next,
    t,
)

SIGN_IN_CSRF_COOKIE = "chungtay_sign_in"

blp = Blueprint("sign_in", __name__)


def _form(status: int = 200, message: str | None = None) -> Response:
    nonce = request.cookies.get(SIGN_IN_CSRF_COOKIE) or secrets.token_urlsafe(24)
    notice = None
    if request.args.get("expired"):
        notice = t("sign_in.expired")
    elif request.args.get("signed_out"):
        notice = t("sign_in.signed_out")
    body, code = render(
        "sign_in.html",
        status,
        nonce=nonce,
        next=request.values.get("next", ""),
        message=message,
        notice=notice,
    )
    resp = make_response(body, code)
    resp.set_cookie(
        SIGN_IN_CSRF_COOKIE,
        nonce,
        max_age=3600,
        httponly=True,
        samesite="Strict",
        secure=request.is_secure,
        path="/sign-in",
    )
    return resp


@blp.route("/sign-in", methods=["GET"], endpoint="form")
def sign_in_form() -> Response:
    """The sign-in form (straight to the dashboard for someone already signed in)."""
    if active_session() is not None:
        return redirect(safe_next(request.args.get("next")), code=303)  # type: ignore[return-value]
    return _form()


@blp.route("/sign-in", methods=["POST"], endpoint="submit")
def sign_in() -> Response:
    """Check the token, open a session, set its cookie and go where the user was going."""
    sent = request.form.get("csrf_token", "")
    kept = request.cookies.get(SIGN_IN_CSRF_COOKIE, "")
    if not kept or not hmac.compare_digest(sent.encode(), kept.encode()):
        return render_error(403, t("csrf.refused"))
    token = request.form.get("token", "").strip()
    if not token:
        return _form(422, t("sign_in.empty"))
    try:
        opened = sessions().sign_in(token)
    except Unauthenticated:
        return _form(401, t("sign_in.refused"))
    previous = request.cookies.get(SESSION_COOKIE)
    if previous:
        sessions().sign_out(previous)
    resp = redirect(safe_next(request.form.get("next")), code=303)
    resp.set_cookie(
        SESSION_COOKIE,
        opened.secret,
        max_age=int(LIFETIME.total_seconds()),
        httponly=True,
        samesite="Strict",
        secure=request.is_secure,
        path="/",
    )
    resp.delete_cookie(SIGN_IN_CSRF_COOKIE, path="/sign-in")
    return resp  # type: ignore[return-value]


@blp.route("/sign-out", methods=["GET"], endpoint="sign_out_form")
def sign_out_form() -> tuple[str, int]:
    """A page with the sign-out button (signing out is a POST, like every change)."""
    return render("sign_out.html")


@blp.route("/sign-out", methods=["POST"], endpoint="sign_out")
def sign_out() -> Response:
    """End the session on the server and forget its cookie."""
    sessions().sign_out(request.cookies.get(SESSION_COOKIE))
    g.pop("web_session", None)
    resp = redirect(url_for("pages.sign_in.form", signed_out="1"), code=303)
    resp.delete_cookie(SESSION_COOKIE, path="/", samesite="Strict", secure=request.is_secure)
    return resp  # type: ignore[return-value]
