"""The API refuses control, bidi-override and noncharacter code points in every text field,
naming the field; line breaks and tabs are text. Before, only NUL and lone surrogates were
refused: RLO (U+202E), ESC and the rest were stored and printed in letters."""

from __future__ import annotations

import pytest

from tests.api.test_bad_input import snapshot

CHARS = ["\u202e", "\u2066", "\x1b", "\x07", "\x85", "\ufffe"]


@pytest.mark.parametrize("char", CHARS, ids=[f"U+{ord(c):04X}" for c in CHARS])
def test_programme_fields_refuse_the_character_by_field(editor, make_programme, fresh, world,
                                                         char):
    p = make_programme("draft")
    rid = world.campaign.requirements[0].id
    before = snapshot(fresh)
    for body, field in (({"title": f"Программа {char}"}, "title"),
                        ({"responsible_name": f"Иванова{char}"}, "responsible_name"),
                        ({"sections": {str(rid): f"Текст {char} раздела"}}, f"sections.{rid}")):
        response = editor.patch(f"/programmes/{p['id']}", json={"version": p["version"], **body})
        assert response.status_code == 400, body
        error = response.get_json()["error"]
        assert (error["code"], error["field"]) == ("invalid_value", field)
        assert f"U+{ord(char):04X}" in error["message"]
    assert snapshot(fresh) == before


@pytest.mark.parametrize("char", CHARS[:3], ids=[f"U+{ord(c):04X}" for c in CHARS[:3]])
def test_remarks_and_reasons_refuse_the_character(reviewer, make_programme, fresh, world, char):
    p = make_programme("in_review")
    before = snapshot(fresh)
    remark = reviewer.post(f"/programmes/{p['id']}/remarks", json={
        "requirement_id": world.campaign.requirements[0].id, "body": f"Замечание {char}",
        "visibility": "external"})
    assert remark.status_code == 400
    assert remark.get_json()["error"]["field"] == "body"
    action = reviewer.post(f"/programmes/{p['id']}/actions/return_for_revision",
                           json={"version": p["version"], "reason": f"Причина {char}"})
    assert action.status_code == 400
    assert action.get_json()["error"]["field"] == "reason"
    assert snapshot(fresh) == before


def test_line_breaks_and_tabs_are_text(editor, make_programme, world):
    p = make_programme("draft")
    rid = world.campaign.requirements[0].id
    response = editor.patch(f"/programmes/{p['id']}", json={
        "version": p["version"], "sections": {str(rid): "первая строка\r\nвторая\tстрока"}})
    assert response.status_code == 200, response.get_json()
    texts = {s["requirement_id"]: s["text"] for s in response.get_json()["sections"]}
    assert texts[rid] == "первая строка\nвторая\tстрока"
