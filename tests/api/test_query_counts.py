"""The API's lists run a fixed number of SQL statements, however many municipalities and
reviewers their rows show (each used to load its municipality with a statement of its own)."""

from __future__ import annotations

from sqlalchemy import update

from tests.statement_counting import counting
from workflow.models import Municipality, Programme


def _statements(app, api, path: str) -> int:
    with counting(app) as seen:
        response = api.get(path)
    assert response.status_code == 200, response.get_json()
    return len(seen)


def _spread_over_new_municipalities(fresh, ids: list[int]) -> None:
    with fresh() as s:
        for i, pid in enumerate(ids):
            m = Municipality(code=f"spread-{pid}", name=f"Округ № {i}", kind="муниципальный округ")
            s.add(m)
            s.flush()
            s.execute(update(Programme).where(Programme.id == pid).values(municipality_id=m.id))
        s.commit()


def test_the_list_of_programmes_does_not_query_per_row(app, reviewer, make_programme, fresh):
    first = [make_programme("in_review", title=f"Программа {i}")["id"] for i in range(2)]
    few = _statements(app, reviewer, "/programmes?per_page=25")
    more = [make_programme("in_review", title=f"Программа {i}")["id"] for i in range(2, 8)]
    _spread_over_new_municipalities(fresh, first + more)
    many = _statements(app, reviewer, "/programmes?per_page=25")
    listed = reviewer.get("/programmes?per_page=25").get_json()["items"]
    assert len({p["municipality"]["code"] for p in listed}) == 8
    assert all(p["reviewer"]["full_name"] for p in listed)
    assert many == few
    # BEGIN (SQLite), the token with its user, the count, the page with its relations.
    assert many <= 4


def test_the_list_of_letters_does_not_query_per_row(app, reviewer, make_programme, fresh):
    make_programme("approved", title="Программа 0")
    few = _statements(app, reviewer, "/letters?per_page=25")
    for i in range(1, 4):
        make_programme("approved", title=f"Программа {i}")
    many = _statements(app, reviewer, "/letters?per_page=25")
    assert len(reviewer.get("/letters?per_page=25").get_json()["items"]) >= 4
    assert many == few


def test_a_programme_reads_its_requirements_once(app, reviewer, make_programme):
    pid = make_programme("in_review")["id"]
    # BEGIN (SQLite), the token with its user, the programme with its municipality and
    # campaign, the requirements (the guards of the actions read the same list), the
    # substitutions (time zone, absences), two facts of the guards, the sections.
    assert _statements(app, reviewer, f"/programmes/{pid}") <= 9
