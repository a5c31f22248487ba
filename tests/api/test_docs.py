"""/api/v1/docs: the documentation page, rendered from the generated OpenAPI document, is
served without a token, lists every operation and schema, and needs nothing the strict
Content-Security-Policy forbids (no script, nothing from another origin)."""

from __future__ import annotations

import re

from web.api.openapi import spec


def test_the_page_lists_every_operation_and_schema_without_a_token(anonymous):
    response = anonymous.get("/docs")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = response.text
    for path, item in spec()["paths"].items():
        for method in item:
            assert f"{method.upper()} {path}" in page, (method, path)
    for name in spec()["components"]["schemas"]:
        assert f'id="schema-{name}"' in page, name
    # Field descriptions and Russian labels come through from the shapes.
    assert "Версия, которую видел клиент" in page
    assert "Тело запроса" in page


def test_the_page_works_under_the_strict_csp(anonymous):
    response = anonymous.get("/docs")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    page = response.text
    assert "<script" not in page
    assert " style=" not in page
    assert not re.search(r'(?:src|href)="(?:https?:)?//', page)


def test_one_section_only_and_a_bad_section_is_a_400(anonymous):
    page = anonymous.get("/docs", query={"tag": "letters"}).text
    assert "GET /letters/{letter_id}/pdf" in page
    assert "PATCH /programmes/{programme_id}" not in page
    response = anonymous.get("/docs", query={"tag": "nothing"})
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert (error["code"], error["field"]) == ("invalid_value", "tag")
    assert error["message"].startswith("Недопустимое значение параметра «tag»; допустимые: auth,")
