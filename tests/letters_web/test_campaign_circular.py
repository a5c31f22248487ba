"""The circular that opens a campaign: prepared on the campaign screen, signed through the
letter screen with the signatory's certificate; the municipality then sees the campaign on
its home page with its deadline and what to do next."""

from __future__ import annotations

from sqlalchemy import select

from tests.factories import SIGNING_PIN
from workflow.models import Campaign, CampaignParticipant, Letter, Notification


def test_the_signed_circular_opens_the_campaign_for_the_municipality(world, auth, client):
    # Read before the app writes: touching an expired row would open a transaction (and on
    # SQLite take the write lock) in the test's session.
    own_id, editor_id = world.own.id, world.editor.id
    world.session.commit()
    auth.login("admin")
    created = client.post("/admin/campaigns/new", data={
        "title": "Программы воспитания", "deadline": "2026-05-01", "programmes": "one",
        "reminder_days": "7,1", "participants": "selected",
        "municipalities": [str(own_id)],
        "requirements": "Первое требование\nВторое требование"})
    assert created.status_code == 302, created.get_data(as_text=True)[:2000]
    campaign_id = int(created.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    auth.logout()

    auth.login("editor")
    home = client.get("/").get_data(as_text=True)
    assert "Программы воспитания" not in home  # a draft is not announced yet
    auth.logout()

    auth.login("admin")
    prepared = client.post(f"/admin/campaigns/{campaign_id}/circular")
    assert prepared.status_code == 302 and "/letters/" in prepared.headers["Location"]
    auth.logout()
    world.session.expire_all()
    letter = world.session.scalar(select(Letter).where(Letter.campaign_id == campaign_id))
    letter_id, version, state = letter.id, letter.version, letter.state
    world.session.commit()
    assert state == "draft"

    auth.login("signatory")
    signed = client.post(f"/letters/{letter_id}/sign",
                         data={"version": version, "pin": SIGNING_PIN},
                         follow_redirects=True)
    assert signed.status_code == 200 and "Письмо подписано и зарегистрировано" in \
        signed.get_data(as_text=True)
    auth.logout()

    world.session.expire_all()
    campaign = world.session.get(Campaign, campaign_id)
    assert campaign.state == "open" and campaign.circular_number == "23/1"
    assert world.session.scalar(select(CampaignParticipant.task_state).where(
        CampaignParticipant.campaign_id == campaign_id)) == "not_started"
    assert world.session.scalar(select(Notification.recipient_id).where(
        Notification.kind == "campaign_opened")) == editor_id
    world.session.commit()

    auth.login("editor")
    home = client.get("/").get_data(as_text=True)
    assert "Программы воспитания" in home and "01.05.2026" in home
    assert "Начните программу и направьте её до срока" in home
    assert f"/programmes/new?campaign={campaign_id}" in home
    auth.logout()
    auth.login("foreign-editor")
    assert "Программы воспитания" not in client.get("/").get_data(as_text=True)
