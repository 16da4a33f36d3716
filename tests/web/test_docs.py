"""Health, the OpenAPI document and the interactive page: public, self-contained."""

from __future__ import annotations

import re

from tests.web.conftest import Web


def test_health_needs_no_token(web_sqlite: Web) -> None:
    r = web_sqlite.client().get("/api/v1/health")
    assert r.status_code == 200
    assert r.json["status"] == "ok"


def test_openapi_document_is_public_and_documents_every_endpoint(web_sqlite: Web) -> None:
    r = web_sqlite.client().get("/api/openapi.json")
    assert r.status_code == 200
    doc = r.json
    assert doc["openapi"].startswith("3.")
    expected = {
        ("post", "/api/v1/households"),
        ("get", "/api/v1/households"),
        ("get", "/api/v1/households/{ref}"),
        ("get", "/api/v1/households/{ref}/status"),
        ("get", "/api/v1/households/{ref}/history"),
        ("get", "/api/v1/households/{ref}/timeline"),
        ("post", "/api/v1/households/{ref}/assessments"),
        ("post", "/api/v1/households/{ref}/recognitions"),
        ("post", "/api/v1/recognitions"),
        ("post", "/api/v1/households/{ref}/support"),
        ("post", "/api/v1/households/{ref}/sponsorships"),
        ("post", "/api/v1/households/{ref}/sponsorships/{sponsorship_id}/end"),
        ("post", "/api/v1/households/{ref}/exit-registrations"),
        ("post", "/api/v1/households/{ref}/members"),
        ("post", "/api/v1/households/{ref}/relocations"),
        ("post", "/api/v1/households/{ref}/complaints"),
        ("post", "/api/v1/households/{ref}/complaints/{complaint_id}/resolution"),
        ("post", "/api/v1/households/{ref}/inspections"),
        ("post", "/api/v1/households/{ref}/retractions"),
        ("post", "/api/v1/households/{ref}/closure"),
        ("post", "/api/v1/classify"),
        ("get", "/api/v1/units"),
        ("get", "/api/v1/audit/access-log"),
        ("get", "/api/v1/health"),
    }
    found = {(m, p) for p, ops in doc["paths"].items() for m in ops if m != "parameters"}
    assert expected <= found
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            if method == "parameters":
                continue
            assert op.get("summary"), (method, path)
            assert op.get("description"), (method, path)
            if path != "/api/v1/health":
                assert "401" in op["responses"], (method, path)
            if method == "post" and path not in ("/api/v1/classify",):
                names = {p["name"] for p in op.get("parameters", [])}
                assert "Idempotency-Key" in names, path
    problem = doc["components"]["responses"]["UNPROCESSABLE_ENTITY"]["content"]
    assert "application/problem+json" in problem
    assert doc["components"]["schemas"]["Support"]["additionalProperties"] is False
    assert doc["paths"]["/api/v1/health"]["get"]["security"] == []
    assert doc["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_docs_page_uses_assets_served_by_the_app(web_sqlite: Web) -> None:
    client = web_sqlite.client()
    page = client.get("/api/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources, html
    for src in sources:
        assert src.startswith("/api/docs/assets/"), f"{src} would need a CDN"
        asset = client.get(src)
        assert asset.status_code == 200, src
        assert len(asset.data) > 1000
    assert "/api/openapi.json" in html


def test_every_api_path_needs_a_token(web_sqlite: Web) -> None:
    doc = web_sqlite.client().get("/api/openapi.json").json
    client = web_sqlite.client()
    for path, ops in doc["paths"].items():
        concrete = re.sub(r"\{[^}]+\}", "x", path)
        for method in ops:
            if method == "parameters" or path == "/api/v1/health":
                continue
            r = client.open(concrete, method=method.upper(), json={})
            assert r.status_code == 401, (method, path, r.status_code)
            assert r.content_type == "application/problem+json"
            assert r.headers["WWW-Authenticate"].startswith("Bearer")
