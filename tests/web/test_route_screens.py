"""Route screens: «Мои задачи», the visa form, the programme's route panel, reassignment,
the approval sheet download and the admin route pages."""

from __future__ import annotations

import io
import re

import pdfplumber
from defusedxml.ElementTree import fromstring

from tests.route_demo import open_task_of
from tests.web.conftest import sign_in
from workflow.models import Decision, Letter, Route, StageTask
from workflow.states import ProgrammeState, TaskState


def _svg_current(html: str, graph: str) -> list[str]:
    """Ids of the highlighted nodes of the inline SVG whose graph id is `graph`."""
    found = re.search(rf'<svg[^>]*>\s*<g id="{graph}".*?</svg>', html, re.S)
    assert found, f"no inline SVG {graph}"
    root = fromstring(found.group(0))
    return [g.get("id") for g in root.iter("{http://www.w3.org/2000/svg}g")
            if "current" in (g.get("class") or "").split()]


def test_tasks_inbox_lists_the_visa_with_due_date_and_nav_count(client, world, rw, pending):
    sign_in(client, "head1")
    page = client.get("/tasks/").get_data(as_text=True)
    assert "Визы начальников отделов" in page
    assert "Программа профориентации" in page
    assert "за себя" in page
    assert re.search(r'id="nav-tasks"[^>]*>Задачи <span class="badge">1</span>', page)
    # Nobody else's tasks: the reviewer has none.
    sign_in(client, "reviewer")
    page = client.get("/tasks/").get_data(as_text=True)
    assert "Открытых задач нет" in page


def test_the_visa_page_flags_an_overdue_task_as_the_inbox_does(client, world, rw, pending):
    task = open_task_of(world, pending, rw.head1)
    sign_in(client, "head1")
    assert "просрочено" not in client.get(f"/tasks/{task.task_id}").get_data(as_text=True)
    world.clock.tick(60 * 24 * 30)  # a month later: past the stage's working days
    sign_in(client, "head1")  # the session has long expired
    assert "просрочено" in client.get("/tasks/").get_data(as_text=True)
    assert "просрочено" in client.get(f"/tasks/{task.task_id}").get_data(as_text=True)
    sign_in(client, "reviewer")  # the programme page's «Ожидают решения» flags it too
    panel = client.get(f"/programmes/{pending.id}").get_data(as_text=True)
    assert re.search(r'class="plain-list open-tasks">.*просрочено', panel, re.S)


def test_municipality_has_no_inbox(client, world, rw):
    sign_in(client, "editor")
    assert client.get("/tasks/").status_code == 403


def test_visa_with_remarks_needs_a_comment_and_nothing_is_written(client, world, rw, pending,
                                                                   fresh):
    task = open_task_of(world, pending, rw.head1)
    sign_in(client, "head1")
    response = client.post(f"/tasks/{task.task_id}", data={
        "decision": "approve_with_remarks", "comment": "  ", "version": task.task_version})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "укажите комментарий" in body
    with fresh() as s:
        assert s.get(StageTask, task.task_id).state == TaskState.OPEN


def test_two_visas_move_the_route_to_signature(client, world, rw, pending, fresh):
    t1 = open_task_of(world, pending, rw.head1)
    t2 = open_task_of(world, pending, rw.head2)
    sign_in(client, "head1")
    response = client.post(f"/tasks/{t1.task_id}", data={"decision": "approve", "comment": "",
                                                         "version": t1.task_version})
    assert response.status_code == 302
    # Deciding twice: a Russian reason, nothing written.
    again = client.post(f"/tasks/{t1.task_id}", data={"decision": "reject", "comment": "нет",
                                                      "version": t1.task_version})
    assert again.status_code == 404  # no longer among the caller's open tasks
    sign_in(client, "head2")
    page = client.get(f"/tasks/{t2.task_id}").get_data(as_text=True)
    assert "Согласовано с замечаниями" in page
    response = client.post(f"/tasks/{t2.task_id}", data={
        "decision": "approve_with_remarks", "comment": "Уточнить сроки мероприятий",
        "version": t2.task_version})
    assert response.status_code == 302
    with fresh() as s:
        decision = s.query(Decision).filter_by(programme_id=pending.id).one()
        assert decision.current_stage == 3
    sign_in(client, "signatory")
    inbox = client.get("/tasks/").get_data(as_text=True)
    assert "Подпись заместителя министра" in inbox
    assert f'href="/letters/{decision.letter_id}"' in inbox


def test_stale_version_is_refused(client, world, rw, pending, fresh):
    task = open_task_of(world, pending, rw.head1)
    sign_in(client, "head1")
    response = client.post(f"/tasks/{task.task_id}", data={
        "decision": "approve", "version": task.task_version + 1})
    assert response.status_code == 409
    assert "Обновите страницу" in response.get_data(as_text=True)
    with fresh() as s:
        assert s.get(StageTask, task.task_id).state == TaskState.OPEN


def test_programme_page_shows_the_route_with_the_current_stage(client, world, rw, pending):
    sign_in(client, "reviewer")
    page = client.get(f"/programmes/{pending.id}").get_data(as_text=True)
    assert 'id="route"' in page
    assert _svg_current(page, f"route-p{pending.id}") == [f"route-p{pending.id}-stage-1"]
    assert _svg_current(page, "states") == ["states-decision_pending"]
    assert "<script" not in page.split('id="route"')[1].split("</section>")[0]
    # The review stage's proposal is the first line of "who decided what".
    assert "Кто что решил" in page


def test_municipality_sees_no_route_panel(client, world, rw, pending):
    sign_in(client, "editor")
    page = client.get(f"/programmes/{pending.id}").get_data(as_text=True)
    assert 'id="route"' not in page
    # Until the letter is signed there is no decision for the municipality.
    assert ">На рассмотрении</span>" in page
    assert "На согласовании решения" not in page.split('class="timeline"')[0]


def test_admin_reassigns_a_visa_and_a_wrong_target_is_refused(client, world, rw, pending, fresh):
    task = open_task_of(world, pending, rw.head1)
    sign_in(client, "admin")
    page = client.get(f"/programmes/{pending.id}").get_data(as_text=True)
    assert "Передать другому исполнителю" in page
    bad = client.post(f"/programmes/{pending.id}/tasks/reassign", data={
        "task_id": task.task_id, "to_user_id": world.editor.id, "reason": "Отпуск"})
    assert bad.status_code == 400
    assert "специалист муниципалитета" in bad.get_data(as_text=True)
    ok = client.post(f"/programmes/{pending.id}/tasks/reassign", data={
        "task_id": task.task_id, "to_user_id": world.other_reviewer.id, "reason": "Отпуск"})
    assert ok.status_code == 302
    with fresh() as s:
        assert s.get(StageTask, task.task_id).state == TaskState.CANCELLED
        new = s.query(StageTask).filter_by(reassigned_from_id=task.task_id).one()
        assert new.assignee_id == world.other_reviewer.id and new.note == "Отпуск"


def test_reviewer_cannot_reassign(client, world, rw, pending):
    task = open_task_of(world, pending, rw.head1)
    sign_in(client, "reviewer")
    assert "Передать другому исполнителю" not in client.get(
        f"/programmes/{pending.id}").get_data(as_text=True)
    response = client.post(f"/programmes/{pending.id}/tasks/reassign", data={
        "task_id": task.task_id, "to_user_id": world.other_reviewer.id, "reason": "x"})
    assert response.status_code == 403


def test_approval_sheet_pdf_from_the_letter_page(client, world, rw, pending, fresh):
    t1 = open_task_of(world, pending, rw.head1)
    sign_in(client, "head1")
    client.post(f"/tasks/{t1.task_id}", data={"decision": "approve_with_remarks",
                                              "comment": "Уточнить показатели",
                                              "version": t1.task_version})
    with fresh() as s:
        letter_id = s.query(Decision).filter_by(programme_id=pending.id).one().letter_id
    sign_in(client, "reviewer")
    page = client.get(f"/letters/{letter_id}").get_data(as_text=True)
    assert f'href="/letters/{letter_id}/approval-sheet.pdf"' in page
    assert "лист согласования" in client.get("/letters/").get_data(as_text=True)
    response = client.get(f"/letters/{letter_id}/approval-sheet.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    with pdfplumber.open(io.BytesIO(response.data)) as pdf:
        text = " ".join((pdf.pages[0].extract_text() or "").split())
        # The draft's 90 pt «ПРОЕКТ» watermark crosses the table: its letters are no cell's.
        page = pdf.pages[0].filter(lambda o: o.get("object_type") != "char" or o["size"] < 30)
        rows = [[" ".join((c or "").split()) for c in row] for row in page.extract_tables()[-1]]
    assert "ЛИСТ СОГЛАСОВАНИЯ" in text and "к проекту письма" in text
    # The reviewer's proposal (the review stage), then head1's visa with remarks.
    assert [r[4] for r in rows[1:]] == ["Согласовано", "Согласовано с замечаниями"]
    assert rows[2][3] == "А.С. Петрова" and rows[2][5] == "Уточнить показатели"
    assert rows[2][2] == "Начальник отдела общего образования"
    sign_in(client, "editor")
    assert client.get(f"/letters/{letter_id}/approval-sheet.pdf").status_code == 404


def test_admin_creates_and_edits_a_route_versions_listed_with_diagrams(client, world, rw, fresh):
    sign_in(client, "admin")
    assert "Демонстрационный маршрут" in client.get("/admin/routes/").get_data(as_text=True)
    form = {"title": "Короткий маршрут", "code": "short",
            "stage-0-name": "Подпись", "stage-0-kind": "sign",
            "stage-0-participant_type": "role", "stage-0-role": "signatory",
            "stage-0-mode": "any", "stage-0-quorum": "", "stage-0-limit_days": "2",
            "stage-0-on_refusal": "municipality",
            "stage-1-name": "", "stage-1-kind": "endorse", "stage-1-participant_type": "users",
            "stage-1-role": "", "stage-1-mode": "all", "stage-1-quorum": "",
            "stage-1-limit_days": "3", "stage-1-on_refusal": "reviewer"}
    response = client.post("/admin/routes/new", data=form)
    assert response.status_code == 302
    with fresh() as s:
        route = s.query(Route).filter_by(code="short").one()
    edit = {**form, "stage-0-name": "Экспертиза", "stage-0-kind": "review",
            "stage-0-participant_type": "programme_reviewer", "stage-0-role": "",
            "stage-1-name": "Подписание", "stage-1-kind": "sign",
            "stage-1-participant_type": "role", "stage-1-role": "signatory",
            "stage-1-mode": "any", "stage-1-on_refusal": "previous"}
    assert client.post(f"/admin/routes/{route.id}/edit", data=edit).status_code == 302
    page = client.get(f"/admin/routes/{route.id}").get_data(as_text=True)
    assert "Версия 2" in page and "Версия 1" in page
    assert page.count("<svg") == 2
    assert 'id="route-v' in page
    assert "<td>Эксперт программы</td>" in page and "<td>Роль: Подписант</td>" in page
    # In English: the participants in the table and the diagrams' fixed words.
    assert client.post("/lang/en", data={"next": "/"}).status_code == 302
    page = client.get(f"/admin/routes/{route.id}").get_data(as_text=True)
    assert "<td>The programme’s reviewer</td>" in page and "<td>Role: Signatory</td>" in page
    assert "time limit: 2 working days" in page and "срок:" not in page


def test_route_validation_errors_are_shown_in_russian_and_nothing_saved(client, world, rw,
                                                                        fresh):
    sign_in(client, "admin")
    form = {"title": "Без подписи", "code": "nosign",
            "stage-0-name": "Визы", "stage-0-kind": "endorse",
            "stage-0-participant_type": "users", "stage-0-users": [str(rw.head1.id)],
            "stage-0-role": "", "stage-0-mode": "quorum", "stage-0-quorum": "3",
            "stage-0-limit_days": "3", "stage-0-on_refusal": "reviewer"}
    response = client.post("/admin/routes/new", data=form)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "кворум 3 больше числа участников (1)" in body
    assert 'value="Без подписи"' in body  # what was typed is kept
    with fresh() as s:
        assert s.query(Route).filter_by(code="nosign").count() == 0


def test_non_admin_cannot_open_route_admin(client, world, rw):
    sign_in(client, "reviewer")
    assert client.get("/admin/routes/").status_code == 403


def test_programme_page_of_a_programme_without_decisions(client, world, rw, fresh):
    from tests.factories import programme_in

    programme = programme_in(world, ProgrammeState.IN_REVIEW)
    world.session.commit()
    sign_in(client, "reviewer")
    page = client.get(f"/programmes/{programme.id}").get_data(as_text=True)
    assert _svg_current(page, f"route-p{programme.id}") == [f"route-p{programme.id}-stage-0"]
    assert _svg_current(page, "states") == ["states-in_review"]
    with fresh() as s:
        assert s.query(Letter).count() == 0


def test_route_panel_runs_the_same_queries_whatever_the_number_of_decisions(app, client, world,
                                                                            rw, pending):
    from tests.web.test_query_counts import counting
    from workflow import operations, routes

    def refuse_and_propose_again():
        task = open_task_of(world, pending, rw.head1)
        routes.decide_task(world.session, task.task_id, rw.head1, decision="reject",
                           comment="Возражаю", now=world.clock.tick())
        world.session.refresh(pending)
        operations.approve_programme(world.session, pending, world.reviewer,
                                     now=world.clock.tick())
        world.session.commit()

    def count() -> int:
        with counting(app) as statements:
            assert client.get(f"/programmes/{pending.id}").status_code == 200
        return len(statements)

    sign_in(client, "admin")
    refuse_and_propose_again()
    few = count()
    for _ in range(3):
        refuse_and_propose_again()
    page = client.get(f"/programmes/{pending.id}").get_data(as_text=True)
    assert page.count("Не согласовано</td>") == 4
    assert count() == few


def test_admin_assigns_a_route_to_a_campaign(client, world, rw, fresh):
    from workflow.models import Campaign

    with fresh() as s:
        s.get(Campaign, world.campaign.id).route_id = None
    sign_in(client, "admin")
    page = client.get(f"/admin/routes/{rw.route.id}").get_data(as_text=True)
    assert "Назначить маршрут кампании" in page
    response = client.post(f"/admin/routes/{rw.route.id}/campaign",
                           data={"campaign_id": world.campaign.id})
    assert response.status_code == 302
    with fresh() as s:
        assert s.get(Campaign, world.campaign.id).route_id == rw.route.id
    assert client.post(f"/admin/routes/{rw.route.id}/campaign",
                       data={"campaign_id": "x"}).status_code == 302  # a message, nothing set
