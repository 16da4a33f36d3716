"""Sign-in, sessions, CSRF and the language switch of the pages (CONTRACT §7)."""

from __future__ import annotations

import sqlite3

import pytest

from application.sessions import IDLE_TIMEOUT, LIFETIME, secret_hash
from tests.pages.conftest import csrf, nonce, sign_in
from tests.web.conftest import Web

PAGES = [
    "/",
    "/households",
    "/households/01564-0001",
    "/units/01561",
    "/units/01561/rates",
    "/units/01561/campaign",
    "/units/01561/annual.xlsx",
    "/inspection",
    "/inspection/anomalies",
    "/audit",
    "/sign-out",
]


def _session_rows(web: Web) -> list[tuple[str, str, str]]:
    conn = web.store.connect_sql()
    try:
        rows = conn.execute(  # type: ignore[attr-defined]
            "SELECT session_sha256, token_sha256, user_name FROM web_sessions"
        ).fetchall()
    finally:
        conn.close()  # type: ignore[attr-defined]
    return [tuple(r) for r in rows]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_without_a_session_redirects_to_sign_in(site_sqlite: Web, path: str) -> None:
    resp = site_sqlite.client().get(path)
    assert resp.status_code == 303
    assert resp.headers["Location"].startswith("/sign-in?next=")


def test_posting_a_page_form_without_a_session_stores_nothing(site_sqlite: Web) -> None:
    before = site_sqlite.history("01564-0001")
    resp = site_sqlite.client().post("/inspection/record", data={"household": "01564-0001"})
    assert resp.status_code == 303
    assert site_sqlite.history("01564-0001") == before


def test_sign_in_opens_a_server_side_session_with_a_strict_http_only_cookie(site: Web) -> None:
    client = site.client()
    form = client.get("/sign-in")
    assert form.status_code == 200
    assert 'name="token"' in form.text
    resp = client.post(
        "/sign-in",
        data={"csrf_token": nonce(form.text), "token": site.tokens["officer"], "next": "/"},
    )
    assert resp.status_code == 303
    assert resp.headers["Location"] == "/"
    cookie = next(c for c in resp.headers.getlist("Set-Cookie") if "chungtay_session=" in c)
    assert "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie
    assert "Secure" not in cookie
    assert "Max-Age=" in cookie
    secret = cookie.split("chungtay_session=")[1].split(";")[0]
    rows = _session_rows(site)
    assert [(r[0], r[2]) for r in rows] == [(secret_hash(secret), "officer")]
    assert secret not in str(rows) and site.tokens["officer"] not in str(rows)
    assert client.get("/").status_code == 200


def test_the_cookie_is_secure_over_https(site_sqlite: Web) -> None:
    client = site_sqlite.flask.test_client()
    form = client.get("/sign-in", base_url="https://localhost")
    resp = client.post(
        "/sign-in",
        base_url="https://localhost",
        data={"csrf_token": nonce(form.text), "token": site_sqlite.tokens["officer"]},
    )
    cookie = next(c for c in resp.headers.getlist("Set-Cookie") if "chungtay_session=" in c)
    assert "Secure" in cookie


@pytest.mark.parametrize("token", ["not-a-token", "", "   "])
def test_a_bad_token_opens_no_session(site_sqlite: Web, token: str) -> None:
    client = site_sqlite.client()
    form = client.get("/sign-in")
    resp = client.post("/sign-in", data={"csrf_token": nonce(form.text), "token": token})
    assert resp.status_code in (401, 422)
    assert 'role="alert"' in resp.text
    assert not any("chungtay_session=" in c for c in resp.headers.getlist("Set-Cookie"))
    assert _session_rows(site_sqlite) == []


def test_sign_in_without_its_form_token_is_refused(site_sqlite: Web) -> None:
    client = site_sqlite.client()
    resp = client.post("/sign-in", data={"token": site_sqlite.tokens["officer"]})
    assert resp.status_code == 403
    client.get("/sign-in")
    forged = client.post(
        "/sign-in", data={"csrf_token": "forged", "token": site_sqlite.tokens["officer"]}
    )
    assert forged.status_code == 403
    assert _session_rows(site_sqlite) == []


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "\\\\evil"])
def test_sign_in_never_sends_the_user_to_another_site(site_sqlite: Web, target: str) -> None:
    client = site_sqlite.client()
    form = client.get("/sign-in")
    resp = client.post(
        "/sign-in",
        data={
            "csrf_token": nonce(form.text),
            "token": site_sqlite.tokens["officer"],
            "next": target,
        },
    )
    assert resp.headers["Location"] == "/"


def test_sign_in_returns_to_the_page_asked_for(site_sqlite: Web) -> None:
    client = site_sqlite.client()
    first = client.get("/households/01564-0001?as_of=2020-01-01")
    form = client.get(first.headers["Location"])
    assert 'value="/households/01564-0001?as_of=2020-01-01"' in form.text
    resp = client.post(
        "/sign-in",
        data={
            "csrf_token": nonce(form.text),
            "token": site_sqlite.tokens["officer"],
            "next": "/households/01564-0001?as_of=2020-01-01",
        },
    )
    assert resp.headers["Location"] == "/households/01564-0001?as_of=2020-01-01"


def test_sign_out_ends_the_session_on_the_server(site: Web) -> None:
    client = sign_in(site, "officer")
    token = csrf(client)
    assert len(_session_rows(site)) == 1
    resp = client.post("/sign-out", data={"csrf_token": token})
    assert resp.status_code == 303
    assert resp.headers["Location"].startswith("/sign-in")
    assert _session_rows(site) == []
    assert client.get("/").status_code == 303


def test_an_old_cookie_is_useless_after_sign_out(site_sqlite: Web) -> None:
    client = sign_in(site_sqlite, "officer")
    cookie = client.get_cookie("chungtay_session")
    assert cookie is not None
    client.post("/sign-out", data={"csrf_token": csrf(client)})
    replay = site_sqlite.client()
    replay.set_cookie("chungtay_session", cookie.value)
    assert replay.get("/").status_code == 303


def test_sign_out_without_the_csrf_token_is_refused_and_keeps_the_session(
    site_sqlite: Web,
) -> None:
    client = sign_in(site_sqlite, "officer")
    assert client.post("/sign-out", data={}).status_code == 403
    assert client.post("/sign-out", data={"csrf_token": "x"}).status_code == 403
    assert client.get("/").status_code == 200


def test_a_revoked_token_ends_its_sessions(site: Web) -> None:
    client = sign_in(site, "officer")
    other = sign_in(site, "officer")
    assert len(_session_rows(site)) == 2
    token_id = site.accounts.store.list_tokens("officer")[0].token_id
    site.accounts.revoke_token(token_id)
    assert client.get("/").status_code == 303
    assert _session_rows(site) == []
    assert other.get("/").status_code == 303


def test_a_session_ends_when_idle(site_sqlite: Web) -> None:
    client = sign_in(site_sqlite, "officer")
    site_sqlite.clock.advance(seconds=IDLE_TIMEOUT.total_seconds() - 60)
    assert client.get("/").status_code == 200
    site_sqlite.clock.advance(seconds=IDLE_TIMEOUT.total_seconds() - 60)
    assert client.get("/").status_code == 200  # activity kept it alive
    site_sqlite.clock.advance(seconds=IDLE_TIMEOUT.total_seconds() + 1)
    resp = client.get("/")
    assert resp.status_code == 303
    assert "expired=1" in resp.headers["Location"]


def test_a_session_ends_after_its_lifetime_however_active(site_sqlite: Web) -> None:
    client = sign_in(site_sqlite, "officer")
    steps = int(LIFETIME / (IDLE_TIMEOUT / 2))
    for _ in range(steps - 1):
        site_sqlite.clock.advance(seconds=(IDLE_TIMEOUT / 2).total_seconds())
        assert client.get("/").status_code == 200
    site_sqlite.clock.advance(seconds=(IDLE_TIMEOUT / 2).total_seconds())
    assert client.get("/").status_code == 303


def test_vietnamese_by_default_and_english_on_request(site_sqlite: Web) -> None:
    client = sign_in(site_sqlite, "officer")
    vi = client.get("/")
    assert '<html lang="vi">' in vi.text and "Đăng xuất" in vi.text
    en = client.get("/?lang=en")
    assert '<html lang="en">' in en.text and "Sign out" in en.text
    assert '<html lang="en">' in client.get("/").text  # remembered
    assert '<html lang="vi">' in client.get("/?lang=vi").text


def test_pages_are_private_and_never_framed(site_sqlite: Web) -> None:
    resp = sign_in(site_sqlite, "officer").get("/")
    assert resp.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in resp.headers["Content-Security-Policy"]
    assert "script-src 'self'" in resp.headers["Content-Security-Policy"]


def test_the_api_is_unchanged_by_the_pages(site_sqlite: Web) -> None:
    """A page session is not an API credential, and the API still answers problem+json."""
    client = sign_in(site_sqlite, "officer")
    resp = client.get("/api/v1/households/01564-0001")
    assert resp.status_code == 401
    assert resp.mimetype == "application/problem+json"


def test_the_stored_session_holds_no_secret(site_sqlite: Web) -> None:
    sign_in(site_sqlite, "auditor")
    assert site_sqlite.store.sqlite_path is not None
    raw = (
        sqlite3.connect(site_sqlite.store.sqlite_path)
        .execute("SELECT * FROM web_sessions")
        .fetchall()
    )
    assert site_sqlite.tokens["auditor"] not in repr(raw)


def test_the_pages_own_static_files_need_no_session(site_sqlite: Web) -> None:
    client = site_sqlite.client()
    for name, kind in [("chungtay.css", "text/css"), ("pages.js", "text/javascript")]:
        resp = client.get(f"/static/{name}")
        assert resp.status_code == 200
        assert resp.mimetype == kind
    assert _session_rows(site_sqlite) == []


def test_a_disabled_user_loses_its_sessions(site: Web) -> None:
    client = sign_in(site, "inspector")
    assert client.get("/").status_code == 200
    site.accounts.disable_user("inspector")
    assert client.get("/").status_code == 303
    assert _session_rows(site) == []
    form = client.get("/sign-in")
    again = client.post(
        "/sign-in", data={"csrf_token": nonce(form.text), "token": site.tokens["inspector"]}
    )
    assert again.status_code == 401
