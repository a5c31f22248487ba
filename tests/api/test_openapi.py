"""The OpenAPI document: valid OAS 3.1, served, and in step with the routes."""

from __future__ import annotations

import re

from openapi_spec_validator import OpenAPIV31SpecValidator, validate

from web.api.openapi import spec


def test_openapi_document_is_valid_oas_3_1():
    document = spec()
    assert document["openapi"].startswith("3.1")
    validate(document, cls=OpenAPIV31SpecValidator)


def test_openapi_document_names_the_required_schemas_and_bearer_security():
    components = spec()["components"]
    for name in ("Programme", "Section", "Remark", "Assessment", "HistoryEntry", "Letter", "Error"):
        assert name in components["schemas"], name
    assert components["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer", "description": "Токен из POST /auth/token"}
    assert spec()["security"] == [{"bearerAuth": []}]


def test_openapi_document_is_served_without_a_token(anonymous):
    response = anonymous.get("/openapi.json")
    assert response.status_code == 200
    assert response.get_json() == spec()


def test_every_api_route_is_documented_and_every_documented_path_exists(app):
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule[len("/api/v1"):])
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            routes.add((path, method))
    documented = {
        (path, method.upper())
        for path, item in spec()["paths"].items()
        for method in item if method != "parameters"
    }
    assert routes == documented
