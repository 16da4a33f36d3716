"""Server time of each web page on a store (the demo, normally): ``python -m bench.pages``.

Each page is asked through the Flask app in-process (no network), signed in as a user of the
role the page is for; one warm-up, then the median and the worst of ``--runs`` requests. The
store is the configured one (``CHUNGTAY_DATABASE_URL``); users ``bench.auditor`` and
``bench.inspector`` (units ``--unit``) are added when missing. The panels a page loads
separately (rates, campaign, anomalies) are listed as their own lines.

Usage: ``python -m bench.pages [--runs 5] [--household CODE] [--unit CODE] [--json]``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import statistics
import time
from typing import Any
from urllib.parse import urlencode

from application.accounts import DuplicateUser
from infrastructure.settings import Settings
from web.app import create_app

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _client(app: Any, token: str) -> Any:
    client = app.test_client()
    nonce = _CSRF.search(client.get("/sign-in").text)
    assert nonce is not None
    resp = client.post("/sign-in", data={"csrf_token": nonce.group(1), "token": token})
    assert resp.status_code == 303, resp.status_code
    return client


def _token(app: Any, name: str, role: str, units: list[str]) -> str:
    accounts = app.extensions["chungtay"].accounts
    with contextlib.suppress(DuplicateUser):
        accounts.add_user(name, role, units)
    return accounts.issue_token(name).token


def _time(client: Any, path: str, runs: int) -> dict[str, Any]:
    status = client.get(path).status_code  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        status = client.get(path).status_code
        times.append((time.perf_counter() - start) * 1000)
    return {
        "path": path,
        "status": status,
        "median_ms": round(statistics.median(times), 1),
        "max_ms": round(max(times), 1),
    }


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--household", default="01564-0001")
    parser.add_argument("--unit", default="01561")
    parser.add_argument("--district", default="048")
    parser.add_argument("--year", type=int, default=2020)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    app = create_app(Settings.from_env())
    auditor = _client(app, _token(app, "bench.auditor", "auditor", []))
    inspector = _client(app, _token(app, "bench.inspector", "inspector", [args.unit]))
    hh, unit, district, year = args.household, args.unit, args.district, args.year
    history = auditor.get(f"/households/{hh}").text
    moments = re.findall(r'<option value="(\d{4}-[^"]+)"', history)
    then = moments[len(moments) // 2]
    pages = [
        (auditor, "/"),
        (auditor, "/households?q=" + hh.split("-")[0]),
        (auditor, f"/households/{hh}"),
        (auditor, f"/households/{hh}?" + urlencode({"as_of": f"{year}-06-30", "known_at": then})),
        (auditor, f"/units/{unit}"),
        (auditor, f"/units/{district}?year={year}"),
        (inspector, "/inspection"),
        (auditor, "/audit"),
        (auditor, f"/units/{district}/lists?year={year}"),
        (auditor, f"/units/{district}/rates?year={year}"),
        (auditor, f"/units/{district}/campaign?year={year}"),
        (inspector, f"/inspection/anomalies?unit={unit}"),
    ]
    rows = [_time(client, path, args.runs) for client, path in pages]
    if args.json:
        print(json.dumps(rows, indent=1))
        return
    for r in rows:
        print(
            f"{r['status']}  median {r['median_ms']:8.1f} ms  max {r['max_ms']:8.1f} ms  {r['path']}"
        )


if __name__ == "__main__":
    main()
