"""The campaign's status against a hand-counted campaign (tests/campaign_fixtures.py):
five rows, one per programme and one for the municipality that has not started."""

from __future__ import annotations

from datetime import date

import pytest

from tests.campaign_fixtures import at, build_scenario
from workflow.campaign_figures import median, nearest_rank
from workflow.campaign_status import campaign_status
from workflow.campaign_status_model import LATE, NOT_STARTED, ON_TIME
from workflow.campaign_status_table import TableQuery


@pytest.fixture
def scenario(world):
    return build_scenario(world)


def _by_title(status):
    return {r.title or r.municipality: r for r in status.rows}


def test_rows_one_per_programme_and_one_per_municipality_without_one(session, world, scenario):
    status = campaign_status(session, world.campaign.id, at(6, 10))
    rows = _by_title(status)
    assert sorted(rows) == sorted(["Программа один", "Программа два", "Программа три",
                                   "Черновик Хасана", "Надеждинский муниципальный округ"])
    assert rows["Надеждинский муниципальный округ"].state == NOT_STARTED
    assert rows["Надеждинский муниципальный округ"].programme_id is None
    assert [rows[t].state for t in ("Программа один", "Программа два", "Программа три",
                                    "Черновик Хасана")] == ["approved", "returned", "submitted", "draft"]
    assert rows["Программа один"].reviewer == world.reviewer.full_name
    assert rows["Программа три"].reviewer is None
    assert (rows["Программа два"].open_remarks, rows["Программа два"].open_external) == (1, 1)
    assert rows["Программа один"].open_remarks == 0


def test_days_in_state_count_calendar_days_in_the_organisations_zone(session, world, scenario):
    rows = _by_title(campaign_status(session, world.campaign.id, at(6, 10)))
    # Returned 22.03 00:00 UTC (10:00 in Vladivostok), today 10.06: 9 + 30 + 31 + 10 days.
    assert rows["Программа два"].days_in_state == 80
    # Approved 12.03 12:00 UTC = 22:00 local: 19 + 30 + 31 + 10.
    assert rows["Программа один"].days_in_state == 90
    # A draft never sent counts from its creation (01.05 01:00 UTC).
    assert rows["Черновик Хасана"].days_in_state == 40
    # Not started: since the circular of 15.07.2022.
    assert rows["Надеждинский муниципальный округ"].days_in_state == (date(2026, 6, 10) - date(2022, 7, 15)).days


def test_deadline_status_uses_the_first_submission_in_local_time(session, world, scenario):
    rows = _by_title(campaign_status(session, world.campaign.id, at(6, 10)))
    assert rows["Программа один"].deadline_status == ON_TIME
    assert rows["Программа два"].deadline_status == ON_TIME
    # 01.06 14:30 UTC is 02.06 00:30 in Vladivostok: a day after the deadline of 01.06.
    assert rows["Программа три"].deadline_status == LATE
    # Never sent and the deadline has passed.
    assert rows["Черновик Хасана"].deadline_status == LATE
    assert rows["Надеждинский муниципальный округ"].deadline_status == LATE
    before = _by_title(campaign_status(session, world.campaign.id, at(5, 31)))
    assert before["Черновик Хасана"].deadline_status == NOT_STARTED
    assert before["Надеждинский муниципальный округ"].deadline_status == NOT_STARTED


def test_figures_match_the_hand_count(session, world, scenario):
    f = campaign_status(session, world.campaign.id, at(6, 10)).figures
    assert f.municipalities == 3
    assert f.programmes == 4
    assert f.by_state == {"not_started": 1, "draft": 1, "submitted": 1, "in_review": 0,
                          "decision_pending": 0, "returned": 1, "approved": 1, "withdrawn": 0}
    assert (f.submitted, f.in_review, f.returned, f.approved, f.not_started) == (1, 0, 1, 1, 1)
    assert f.by_deadline == {"on_time": 2, "late": 3, "not_started": 0}
    assert (f.submitted_ever, f.returned_ever) == (3, 1)
    assert f.returned_share == pytest.approx(1 / 3)
    # Submitted 10.03 00:00, approved 12.03 12:00: two and a half days.
    assert f.review_days == [pytest.approx(2.5)]
    assert f.median_review_days == pytest.approx(2.5)
    assert f.p90_review_days == pytest.approx(2.5)


def test_assessments_and_remarks_per_requirement(session, world, scenario):
    status = campaign_status(session, world.campaign.id, at(6, 10))
    by_position = {r.position: r for r in status.requirements}
    assert by_position[1].verdicts == {"met": 1, "partly": 0, "not_met": 1}
    assert by_position[2].verdicts == {"met": 1, "partly": 1, "not_met": 0}
    assert by_position[3].verdicts == {"met": 1, "partly": 0, "not_met": 0}
    assert [r.failures for r in status.requirements] == [1, 1, 0]
    assert (by_position[1].remarks, by_position[1].open_remarks) == (1, 1)
    assert by_position[2].remarks == 0
    assert len(status.submissions) == 3 and status.submissions[-1] == date(2026, 6, 2)
    assert status.approvals == [date(2026, 3, 12)]


def test_a_municipality_sees_its_own_rows_only(session, world, scenario):
    status = campaign_status(session, world.campaign.id, at(6, 10),
                                municipality_id=world.own.id)
    assert {r.title for r in status.rows} == {"Программа один", "Программа два"}
    assert status.figures.municipalities == 1


def test_percentiles_by_hand():
    assert median([]) is None and nearest_rank([], 90) is None
    values = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0]
    assert median(values) == 5.5
    assert nearest_rank(values, 90) == 9.0  # ceil(0.9 * 10) = 9th value
    assert nearest_rank([4.0, 1.0, 3.0], 90) == 4.0  # ceil(2.7) = 3rd
    assert nearest_rank([2.0], 90) == 2.0


def test_table_filters_and_order(session, world, scenario):
    rows = campaign_status(session, world.campaign.id, at(6, 10)).rows
    q = TableQuery.parse({"state": "not_started"})
    assert [r.municipality for r in q.apply(rows)] == ["Надеждинский муниципальный округ"]
    q = TableQuery.parse({"deadline": "late", "municipality": "хасан"})
    assert {r.title for r in q.apply(rows)} == {"Программа три", "Черновик Хасана"}
    q = TableQuery.parse({"sort": "days", "order": "desc"})
    ordered = q.apply(rows)
    assert ordered[0].state == NOT_STARTED and ordered[-1].title == "Программа три"
    bogus = TableQuery.parse({"state": "nonsense", "sort": "drop table", "deadline": "x"})
    assert (bogus.state, bogus.sort, bogus.deadline) == ("", "municipality", "")
