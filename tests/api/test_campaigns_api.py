"""GET /campaigns and /campaigns/{id}: what each caller sees, the shape (checked against the
OpenAPI document by the test client), and bad input."""

from __future__ import annotations

from datetime import date

from workflow import campaigns
from workflow.campaign_machine import CampaignState


def _new(world, **kw) -> int:
    values = {"title": "Программы воспитания", "deadline": date(2026, 5, 1),
              "legal_basis": "Указ № 474", "max_programmes": 2, "reminder_days": "7,1"}
    values.update(kw)
    campaign = campaigns.create_campaign(world.session, world.admin,
                                         campaigns.CampaignSetup(**values),
                                         now=world.clock.tick(),
                                         requirements=["Первое", "Второе", "Третье"])
    world.session.commit()
    return campaign.id


def _open(world, campaign_id: int) -> None:
    from tests.factories import sign
    from workflow.models import Campaign

    campaign = world.session.get(Campaign, campaign_id)
    sign(world, campaigns.prepare_circular(world.session, campaign, world.admin,
                                           now=world.clock.tick()))
    world.session.commit()


def test_the_ministry_sees_every_campaign_with_its_details(reviewer, world):
    draft = _new(world)
    listing = reviewer.get("/campaigns").get_json()
    assert listing["total"] == 2
    by_id = {c["id"]: c for c in listing["items"]}
    assert by_id[draft]["state"] == "draft" and by_id[draft]["state_label"] == "Подготовка"
    assert by_id[draft]["participants_count"] == 2
    assert by_id[world.campaign.id]["participants_count"] == 0  # the legacy campaign
    detail = reviewer.get(f"/campaigns/{draft}").get_json()
    assert detail["deadline"] == "2026-05-01" and detail["max_programmes"] == 2
    assert detail["reminder_days"] == [7, 1]
    assert [(r["position"], r["text"]) for r in detail["requirements"]] == [
        (1, "Первое"), (2, "Второе"), (3, "Третье")]
    assert detail["circular_number"] is None
    only_drafts = reviewer.get("/campaigns", query={"state": "draft"}).get_json()
    assert [c["id"] for c in only_drafts["items"]] == [draft]


def test_a_municipality_sees_only_the_open_campaigns_it_takes_part_in(editor, world):
    draft = _new(world)
    theirs = _new(world, municipality_ids=[world.foreign.id])
    mine = _new(world, municipality_ids=[world.own.id])
    _open(world, theirs)
    _open(world, mine)
    ids = {c["id"] for c in editor.get("/campaigns").get_json()["items"]}
    assert ids == {world.campaign.id, mine}
    opened = editor.get(f"/campaigns/{mine}").get_json()
    assert opened["state"] == CampaignState.OPEN and opened["circular_number"].startswith("23/")
    for hidden in (draft, theirs, 2147483647):
        response = editor.get(f"/campaigns/{hidden}")
        assert response.status_code == 404
        assert response.get_json()["error"] == {"code": "not_found",
                                                "message": "Кампания не найдена"}


def test_bad_query_and_no_token(editor, anonymous):
    bad = editor.get("/campaigns", query={"state": "finished"})
    assert bad.status_code == 400 and "state" in bad.get_json()["error"]["message"]
    assert anonymous.get("/campaigns").status_code == 401
    assert editor.get("/campaigns/0").status_code == 404
