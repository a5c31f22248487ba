"""The campaign page: every participating municipality in one table, the figures and the
charts (the ministry); its own row, its deadline and what comes next (a municipality). Also the
campaign's workbook and the minister's report ("Сводная справка"), for the ministry only."""

from __future__ import annotations

from types import SimpleNamespace

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from workflow.campaign_status_model import DEADLINE_ORDER, STATE_ORDER, CampaignStatus, StatusRow
from workflow.campaign_status_table import SORT_KEYS, TableQuery
from workflow.i18n import N_
from workflow.models import Campaign

from .. import campaign_views as cv
from .. import viewmodels as vm
from ..database import db, now

bp = Blueprint("campaign_page", __name__)

CAMPAIGN = "int(max=2147483647)"
ROWS_PER_PAGE = 200


@bp.route("/status")
@login_required
def current():
    """The status of the campaign with the latest deadline (the one being run)."""
    campaign_id = db().scalar(select(Campaign.id).order_by(Campaign.deadline.desc(),
                                                           Campaign.id.desc()).limit(1))
    if campaign_id is None:
        abort(404)
    return redirect(url_for(".status", campaign_id=campaign_id))


@bp.route(f"/<{CAMPAIGN}:campaign_id>/status")
@login_required
def status(campaign_id: int):
    me = current_user.user
    session = db()
    st = cv.status_for(session, campaign_id, me, now())
    query = TableQuery.parse(request.args)
    chosen = query.apply(st.rows)
    # 2,300 municipalities are 2,300 rows: the table comes in pages, the figures do not.
    pages = max(1, -(-len(chosen) // ROWS_PER_PAGE))
    page = min(max(1, request.args.get("page", 1, type=int)), pages)
    rows = chosen[(page - 1) * ROWS_PER_PAGE:page * ROWS_PER_PAGE]
    ministry = cv.is_ministry(me)
    campaigns = session.execute(
        select(Campaign.id, Campaign.title).order_by(Campaign.deadline.desc(), Campaign.id.desc())
    ).all() if ministry else []
    next_steps = {}
    if not ministry:
        for r in rows:
            next_steps[r.programme_id] = _next_step(r, st)
    return render_template(
        "campaigns/status.html", st=st, rows=rows, query=query, ministry=ministry,
        charts=cv.all_charts(st) if ministry else {}, campaigns=campaigns,
        state_labels={k: cv.state_label(k) for k in STATE_ORDER},
        deadline_labels={k: cv.deadline_label(k) for k in DEADLINE_ORDER},
        sort_keys=list(SORT_KEYS), next_steps=next_steps, args=request.args,
        total=len(chosen), page=page, pages=pages,
    )


def _next_step(row: StatusRow, st: CampaignStatus) -> str:
    if row.programme_id is None:
        if st.deadline_passed:
            return N_("Срок истёк: создайте программу и направьте её в министерство как можно скорее")
        return N_("Создайте программу и направьте её в министерство до срока")

    # The editor's next step depends on the state only.
    return vm.next_step_for_editor(SimpleNamespace(state=row.state), row.open_external)


@bp.route(f"/<{CAMPAIGN}:campaign_id>/status.xlsx")
@login_required
def status_xlsx(campaign_id: int):
    me = current_user.user
    cv.ensure_ministry(me)
    session = db()
    st = cv.status_for(session, campaign_id, me, now())
    data = cv.campaign_workbook(session, st)
    return cv.xlsx_response(data, f"campaign-{campaign_id}-{st.today.isoformat()}.xlsx")


@bp.route(f"/<{CAMPAIGN}:campaign_id>/report.pdf")
@login_required
def report_pdf(campaign_id: int):
    from ..campaign_report import report_response

    me = current_user.user
    cv.ensure_ministry(me)
    return report_response(db(), campaign_id, me, now())
