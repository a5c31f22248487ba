"""The campaign status API: the table and figures as JSON, the workbook and the report, for
the ministry only."""

from __future__ import annotations

import io

import pdfplumber
from openpyxl import load_workbook

from tests.campaign_fixtures import at, build_scenario


def test_status_json_matches_the_hand_count(as_user, world, clock):
    build_scenario(world)
    clock.now = at(6, 10)  # tokens are issued after the clock moves: they last 12 hours
    reviewer = as_user(world.reviewer)
    response = reviewer.get(f"/campaigns/{world.campaign.id}/status")
    assert response.status_code == 200
    data = response.get_json()
    assert data["deadline"] == "2026-06-01" and data["today"] == "2026-06-10"
    figures = data["figures"]
    assert figures["by_state"]["not_started"] == 1 and figures["by_state"]["approved"] == 1
    assert figures["median_review_days"] == 2.5 and figures["submitted_ever"] == 3
    assert abs(figures["returned_share"] - 1 / 3) < 1e-9
    rows = {r["title"] or r["municipality"]: r for r in data["rows"]}
    assert rows["Программа три"]["deadline_status"] == "late"
    assert rows["Надеждинский муниципальный округ"]["state_label"] == "Не начата"
    assert rows["Программа один"]["review_days"] == 2.5
    assert [q["position"] for q in data["requirements"]] == [1, 2, 3]


def test_exports_through_the_api(as_user, world, clock):
    build_scenario(world)
    clock.now = at(6, 10)
    admin, signatory = as_user(world.admin), as_user(world.signatory)
    response = admin.get(f"/campaigns/{world.campaign.id}/export.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert book["Кампания"]["A1"].value == "Муниципалитет"
    response = signatory.get(f"/campaigns/{world.campaign.id}/report.pdf")
    assert response.status_code == 200
    with pdfplumber.open(io.BytesIO(response.data)) as pdf:
        assert "Сводная справка" in pdf.pages[0].extract_text()


def test_a_municipality_and_strangers_are_refused(editor, anonymous, reviewer, world):
    for path in ("status", "export.xlsx", "report.pdf"):
        response = editor.get(f"/campaigns/{world.campaign.id}/{path}")
        assert response.status_code == 403
        assert response.get_json()["error"]["code"] == "forbidden"
        assert "министерства" in response.get_json()["error"]["message"]
        assert anonymous.get(f"/campaigns/{world.campaign.id}/{path}").status_code == 401
        assert reviewer.get(f"/campaigns/99999/{path}").status_code == 404
