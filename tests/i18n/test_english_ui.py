"""English as the second UI language: the switch, the screens and the labels from
`workflow` in English, and Russian back again."""

from __future__ import annotations

import re
from types import SimpleNamespace

from tests.web.conftest import sign_in, text


def _switch(client, code: str, back_to: str = "/") -> None:
    response = client.post(f"/lang/{code}", data={"next": back_to})
    assert response.status_code == 302


def test_russian_is_the_default(client):
    sign_in(client, "reviewer")
    page = text(client.get("/review/"))
    assert '<html lang="ru">' in page
    assert "<h1>Очередь рассмотрения</h1>" in page


def test_queue_in_english_and_back_to_russian(client):
    sign_in(client, "reviewer")
    _switch(client, "en", "/review/")
    page = text(client.get("/review/"))
    assert '<html lang="en">' in page
    # Navigation and heading.
    assert ">Review queue</a>" in page and ">Programmes</a>" in page and ">Sign out</button>" in page
    assert "<h1>Review queue</h1>" in page
    # Queue tabs, filters, table heads and the state label of a submitted programme.
    for phrase in ("Awaiting review", "Under my review", "Under revision", "Overdue",
                   "All campaigns", "<th>Municipality</th>", "<th>Reviewer</th>",
                   "Submitted to the ministry", "Found: 1 programme"):
        assert phrase in page, phrase
    all_tab = text(client.get("/review/?tab=all"))
    assert "Found: 4 programmes" in all_tab
    assert "Under review" in all_tab and "Returned for revision" in all_tab
    assert "Очередь рассмотрения" not in page and "Направлена в министерство" not in page

    _switch(client, "ru", "/review/")
    page = text(client.get("/review/"))
    assert '<html lang="ru">' in page
    assert "<h1>Очередь рассмотрения</h1>" in page and "Направлена в министерство" in page
    assert "Review queue" not in page


def test_editor_home_in_english(client):
    sign_in(client, "editor")
    _switch(client, "en")
    page = text(client.get("/"))
    assert ">My programmes</a>" in page and ">Ministry's letters</a>" in page
    assert "<h1>Programmes of the municipality</h1>" in page
    assert "Submission deadline:" in page and "<th>Next step</th>" in page
    # State labels and the "what next" hints, including the one with a number in it.
    assert "Draft" in page and "Returned for revision" in page
    assert "Complete the sections and submit to the ministry" in page
    assert "Answer the remarks (1) and resubmit the programme" in page
    assert "Awaiting review at the ministry" in page


def test_programme_page_in_english(client, seeded):
    sign_in(client, "reviewer")
    _switch(client, "en")
    page = text(client.get(f"/programmes/{seeded.in_review_id}"))
    for phrase in ("<h2>Actions</h2>", "<h2>History</h2>", "Under review",
                   "Implementation period", "2026–2028", "Requirement 1",
                   "Assessment of the requirement", "Partly met", "Not met",
                   "For the municipality", "Internal (ministry only)", "Add remark",
                   "Return for revision", "Approve", "Take up for review",
                   "Submitted to the ministry → Under review", ">Open</span>"):
        assert phrase in page, phrase
    # Why an action is not available yet: the domain's reasons, translated on the screen.
    assert "not available yet:" in page
    assert "Not every requirement is assessed as “Met”: requirements No. " in page
    assert "Не все требования оценены" not in page
    # The route and state diagrams are drawn in the screen's language.
    diagrams = re.findall(r"<svg.*?</svg>", page, re.S)
    assert len(diagrams) == 2
    drawn = " ".join(diagrams)
    for phrase in ("The programme’s reviewer: ", "time limit: 10 working days", "[current stage]",
                   "Role: Signatory", "(returned for revision)", ">refused<", ">Under review<",
                   ">Approve<"):
        assert phrase in drawn, phrase
    # Stage names and people's names are data; no fixed word is left in Russian.
    for word in ("срок:", "текущий этап", "Эксперт программы", "Роль:", "отказ", "Черновик",
                 "Согласовать"):
        assert word not in drawn, word


def test_campaign_charts_in_english(client, seeded):
    sign_in(client, "reviewer")
    _switch(client, "en")
    page = text(client.get("/campaigns/status", follow_redirects=True))
    for phrase in ("Programmes by state", "Submitted and approved, cumulative",
                   "Requirement assessments (most often not met on top)"):
        assert phrase in page, phrase
    assert "Программы по состояниям" not in page and "нарастающим итогом" not in page


def test_login_page_and_messages_in_english(client):
    _switch(client, "en", "/login")
    page = text(client.get("/login"))
    assert '<html lang="en">' in page
    assert "<h1>Sign in</h1>" in page
    assert '<label for="login">Login</label>' in page
    assert '<label for="password">Password</label>' in page
    assert "Ministry of Education of Primorsky Krai" in page
    refused = text(client.post("/login", data={"login": "editor", "password": "wrong"}))
    assert "Incorrect login or password" in refused
    empty = text(client.post("/login", data={"login": "", "password": ""}))
    assert "Enter your login" in empty and "Enter your password" in empty


def test_language_survives_sign_in_and_sign_out(client):
    _switch(client, "en", "/login")
    sign_in(client, "editor")
    assert "<h1>Programmes of the municipality</h1>" in text(client.get("/"))
    page = text(client.post("/logout", follow_redirects=True))
    assert "You have signed out" in page and "<h1>Sign in</h1>" in page
    redirected = text(client.get("/", follow_redirects=True))
    assert "Sign in to continue" in redirected


def test_error_page_in_english(client):
    sign_in(client, "editor")
    _switch(client, "en")
    response = client.get("/no-such-page")
    assert response.status_code == 404
    page = text(response)
    assert "<h1>Not found</h1>" in page and "Page not found." in page
    assert re.search(r"<title>Error 404 — Ministry of Education of Primorsky Krai</title>", page)


def test_unknown_language_is_ignored(client):
    sign_in(client, "reviewer")
    _switch(client, "de", "/review/")
    assert "<h1>Очередь рассмотрения</h1>" in text(client.get("/review/"))


def test_every_reason_an_action_is_blocked_reads_in_english(i18n_app):
    """The guards of workflow.machine write their reasons in Russian, some with numbers in
    them; `tr` must know every one (a reworded guard that no pattern matches fails here)."""
    from flask import session

    from web.i18n_labels import tr
    from workflow.machine import PROGRAMME_TRANSITIONS

    reasons = set()
    for open_remarks in (0, 2):
        facts = SimpleNamespace(unfilled_requirement_positions=[1, 3],
                                open_external_remarks=open_remarks,
                                requirements_not_met_positions=[2, 5], unresolved_remarks=4)
        reasons |= {g.check(facts) for spec in PROGRAMME_TRANSITIONS for g in spec.guards
                    if not g.on_input}
    reasons.discard(None)
    assert len(reasons) == 5
    with i18n_app.test_request_context():
        session["lang"] = "en"
        for reason in reasons:
            english = tr(reason)
            assert not re.search("[А-Яа-яЁё]", english), (reason, english)
            assert re.findall(r"\d+", english) == re.findall(r"\d+", reason), english
