"""The campaign page: the ministry's table, figures and server-drawn charts; a municipality's
own row; the workbook, the journal and the queue in Excel; the minister's report as PDF."""

from __future__ import annotations

import io

import pdfplumber
import pytest
from defusedxml import ElementTree
from openpyxl import load_workbook

from tests.campaign_fixtures import at, build_scenario, bulk_campaign
from tests.web.conftest import sign_in, text
from tests.web.test_query_counts import counting

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def scenario(world, clock):
    built = build_scenario(world)
    clock.now = at(6, 10)
    return built


def _svgs(html: str) -> dict[str, ElementTree.Element]:
    charts = {}
    start = 0
    while (i := html.find("<svg", start)) != -1:
        end = html.index("</svg>", i) + len("</svg>")
        root = ElementTree.fromstring(html[i:end])
        kind = next(c for c in root.get("class").split() if c.startswith("chart-"))
        charts[kind] = root
        start = end
    return charts


def test_ministry_sees_every_municipality_figures_and_three_charts(client, world, scenario):
    sign_in(client, "reviewer")
    response = client.get(f"/campaigns/{world.campaign.id}/status")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    page = text(response)
    for name in ("Программа один", "Программа два", "Программа три", "Черновик Хасана",
                 "Надеждинский муниципальный округ", "Не начата"):
        assert name in page, name
    assert 'data-figure="approved"><span class="num">1<' in html
    assert 'data-figure="not_started"><span class="num">1<' in html
    assert 'data-figure="median"><span class="num">2.5<' in html
    assert 'data-figure="returned_share"><span class="num">33%<' in html
    charts = _svgs(html)
    assert set(charts) == {"chart-states", "chart-cumulative", "chart-verdicts"}
    segments = {r.get("data-state"): int(r.get("data-count"))
                for r in charts["chart-states"].iter(f"{SVG}rect") if r.get("data-state")}
    assert segments == {"not_started": 1, "draft": 1, "submitted": 1, "returned": 1, "approved": 1}
    assert charts["chart-cumulative"].find(f"{SVG}line[@class='deadline']") is not None
    verdicts = {(r.get("data-requirement"), r.get("data-verdict")): int(r.get("data-count"))
                for r in charts["chart-verdicts"].iter(f"{SVG}rect") if r.get("data-verdict")}
    assert verdicts == {("1", "not_met"): 1, ("1", "met"): 1, ("2", "partly"): 1,
                        ("2", "met"): 1, ("3", "met"): 1}
    # Most failed first: requirement 1 (not met) is drawn above requirement 3.
    order = [r.get("data-requirement") for r in charts["chart-verdicts"].iter(f"{SVG}rect")
             if r.get("data-verdict")]
    assert order.index("1") < order.index("3")


def test_chart_text_is_escaped(client, world, scenario, session):
    world.campaign.requirements[2].text = 'Требование <script>alert(1)</script> & "кавычки"'
    session.commit()
    sign_in(client, "reviewer")
    html = client.get(f"/campaigns/{world.campaign.id}/status").get_data(as_text=True)
    assert "<script>alert" not in html
    _svgs(html)  # still well-formed XML


def test_table_filters_and_sorts_on_the_server(client, world, scenario):
    sign_in(client, "reviewer")
    url = f"/campaigns/{world.campaign.id}/status"
    page = text(client.get(url, query_string={"state": "not_started"}))
    assert "Надеждинский" in page and "Программа один" not in page
    page = text(client.get(url, query_string={"deadline": "late", "municipality": "ХАСАН"}))
    assert "Программа три" in page and "Черновик Хасана" in page and "Программа два" not in page
    html = client.get(url, query_string={"sort": "days", "order": "desc"}).get_data(as_text=True)
    assert html.index("Надеждинский муниципальный округ</td>") < html.index("Программа три")
    assert client.get(url, query_string={"sort": "<bogus>", "state": "x"}).status_code == 200


def test_a_municipality_sees_its_own_rows_deadline_and_next_step(client, world, scenario):
    sign_in(client, "editor")
    response = client.get(f"/campaigns/{world.campaign.id}/status")
    assert response.status_code == 200
    page = text(response)
    assert "Программа один" in page and "Программа два" in page
    for foreign in ("Программа три", "Черновик Хасана", "Надеждинский", "Хасан"):
        assert foreign not in page, foreign
    assert "1 июня 2026 г." in page
    assert "Ответьте на замечания (1) и направьте программу повторно" in page
    assert "<svg" not in response.get_data(as_text=True)


def test_exports_and_report_are_for_the_ministry_only(client, world, scenario):
    sign_in(client, "editor")
    for url in (f"/campaigns/{world.campaign.id}/status.xlsx",
                f"/campaigns/{world.campaign.id}/report.pdf",
                "/letters/journal.xlsx", "/review/queue.xlsx", "/search/?q=программа"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "только сотрудникам министерства" in text(response) or "сотрудникам министерства" in text(response)


def test_unknown_campaign_is_not_found(client, world, scenario):
    sign_in(client, "reviewer")
    assert client.get("/campaigns/999999/status").status_code == 404
    assert client.get("/campaigns/999999/status.xlsx").status_code == 404
    assert client.get("/campaigns/status").status_code == 302


def test_campaign_workbook_cells_are_typed(client, world, scenario):
    sign_in(client, "reviewer")
    response = client.get(f"/campaigns/{world.campaign.id}/status.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Кампания", "Оценки требований"]
    sheet = book["Кампания"]
    header = [c.value for c in sheet[1]]
    assert header[:7] == ["Муниципалитет", "Программа", "Состояние", "Дней в состоянии", "Эксперт",
                          "Открытых замечаний", "Соблюдение срока"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:M6"
    assert sheet.column_dimensions["A"].width == 36
    rows = {r[1].value or r[0].value: r for r in sheet.iter_rows(min_row=2)}
    one = rows["Программа один"]
    assert one[2].value == "Согласована"
    assert one[3].value == 90 and one[3].data_type == "n"
    # First submitted 10.03 00:00 UTC: 10:00 in Vladivostok, written as a date and time.
    assert one[7].is_date and one[7].value.strftime("%d.%m.%Y %H:%M") == "10.03.2026 10:00"
    assert one[7].number_format == "DD.MM.YYYY HH:MM"
    assert one[9].value == 2.5 and one[9].number_format == "0.0"
    assert one[12].is_date and one[12].value.date().isoformat() == "2026-06-01"
    assert rows["Надеждинский муниципальный округ"][2].value == "Не начата"
    assert rows["Программа два"][5].value == 1
    assessments = book["Оценки требований"]
    assert assessments.freeze_panes == "A2" and assessments.auto_filter.ref
    verdicts = {(r[1].value, r[2].value): r[4].value for r in assessments.iter_rows(min_row=2)}
    assert verdicts[("Программа два", 1)] == "Не выполнено"
    assert verdicts[("Программа два", 2)] == "Выполнено частично"
    assert verdicts[("Программа два", 3)] == "Не оценено"
    assert verdicts[("Программа один", 3)] == "Выполнено"
    assert len(verdicts) == 4 * 3


def test_queue_workbook_follows_the_filters(client, world, scenario):
    sign_in(client, "reviewer")
    response = client.get("/review/queue.xlsx", query_string={"tab": "all", "municipality": "Хасан"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    titles = sorted(r[0].value for r in sheet.iter_rows(min_row=2))
    assert titles == ["Программа три", "Черновик Хасана"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:I3"
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "Программа три")
    assert row[3].is_date and row[5].is_date and row[7].data_type == "n"


def test_journal_workbook_keeps_the_csv_and_types_the_cells(client, world, scenario):
    sign_in(client, "reviewer")
    assert client.get("/letters/journal.csv").status_code == 200
    response = client.get("/letters/journal.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert [c.value for c in sheet[1]][:4] == ["Номер", "Порядковый номер", "Дата регистрации", "Вид письма"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:K")
    # The return of "Программа два" drafted a letter (a draft: no number, no date yet).
    assert sheet.max_row >= 2


def test_formula_like_text_stays_text():
    from documents.spreadsheets import Column, Sheet, workbook

    data = workbook([Sheet("Лист", [Column("Текст")], [["=HYPERLINK(\"http://x\")"], ["-1"]])])
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet["A2"].data_type == "s" and sheet["A2"].value.startswith("=HYPERLINK")
    assert sheet["A3"].data_type == "s"


def test_minister_report_pdf(client, world, scenario):
    sign_in(client, "signatory")
    response = client.get(f"/campaigns/{world.campaign.id}/report.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    with pdfplumber.open(io.BytesIO(response.data)) as pdf:
        content = "\n".join(page.extract_text() or "" for page in pdf.pages)
    assert "Сводная справка" in content
    assert "МИНИСТЕРСТВО" in content
    assert "Программы профориентации" in content
    assert "по состоянию на 10.06.2026 10:00 (UTC+10)" in content
    assert "Медиана срока рассмотрения, дней 2,5" in content
    assert "Нарушившие срок" in content
    assert "Программа три" in content and "Надеждинский муниципальный округ" in content
    assert "Требование номер 1" in content


def _status_queries(app, client, world) -> int:
    with counting(app) as statements:
        response = client.get(f"/campaigns/{world.campaign.id}/status")
    assert response.status_code == 200
    return len(statements)


def test_campaign_page_runs_the_same_queries_at_34_and_2300_municipalities(app, client, world, session):
    bulk_campaign(session, world, 32)  # with the world's two: 34
    sign_in(client, "reviewer")
    few = _status_queries(app, client, world)
    bulk_campaign_more(session, world)
    many = _status_queries(app, client, world)
    assert few == many
    # The status itself is seven statements (workflow.campaign_status.QUERIES); the rest is
    # the signed-in user, the session record, the campaign list and the navigation's
    # counters (unread notifications, open route tasks, substitutions).
    assert few <= 7 + 9, few
    page = client.get(f"/campaigns/{world.campaign.id}/status").get_data(as_text=True)
    assert '<span id="row-count">2300</span>' in page  # the world's two have not started
    assert page.count('<tr data-municipality=') == 200  # a page of the table
    last = client.get(f"/campaigns/{world.campaign.id}/status?page=12").get_data(as_text=True)
    assert last.count('<tr data-municipality=') == 100
    sign_in(client, "editor")
    assert _status_queries(app, client, world) <= few


def bulk_campaign_more(session, world):
    from sqlalchemy import delete, select

    from workflow.models import Municipality, Programme, WorkflowEvent

    bulk = select(Programme.id).join(Municipality).where(Municipality.code.like("bulk%"))
    session.execute(delete(WorkflowEvent).where(WorkflowEvent.programme_id.in_(bulk)))
    session.execute(delete(Programme).where(Programme.id.in_(bulk)))
    session.execute(delete(Municipality).where(Municipality.code.like("bulk%")))
    session.commit()
    bulk_campaign(session, world, 2298)


def test_nav_links_the_campaign_page_and_the_report_stays_russian_in_english(client, world, scenario):
    sign_in(client, "reviewer")
    assert 'href="/campaigns/status"' in client.get("/review/").get_data(as_text=True)
    client.post("/lang/en", data={"next": "/"})
    page = text(client.get(f"/campaigns/{world.campaign.id}/status"))
    assert "Campaign progress" in page and "Not started" in page
    response = client.get(f"/campaigns/{world.campaign.id}/report.pdf")
    with pdfplumber.open(io.BytesIO(response.data)) as pdf:
        content = "\n".join(page.extract_text() or "" for page in pdf.pages)
    assert "Сводная справка" in content and "Не начата" in content
    assert "Not started" not in content
