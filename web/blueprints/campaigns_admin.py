"""Campaign set-up for the ministry: the list, the create/edit form, the ordered requirements
(while a draft), the circular that opens the campaign, closing and cancelling. For an
administrator or a head of department. The campaign's live page is elsewhere.

Each handler parses, calls one `workflow.campaigns` operation in the unit of work
(web/work.py) and redirects.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from sqlalchemy import func, select
from wtforms import SelectChoice

from workflow import campaigns as ops
from workflow.campaign_machine import CAMPAIGN_STATE_LABELS, TASK_STATE_LABELS, refusal
from workflow.errors import WorkflowError
from workflow.models import Campaign, CampaignParticipant, Municipality

from ..campaign_forms import CampaignSetupForm, NewCampaignForm, ReasonForm, RequirementForm
from ..database import db, now
from ..errors import status_for
from ..forms import SimplePostForm
from ..guards import me, only_for
from ..work import refused, unit_of_work, unit_of_work_or_flash

bp = Blueprint("campaigns_admin", __name__)

ID = "int(max=2147483647)"


bp.before_request(only_for(ops.may_manage))


def _campaign(campaign_id: int) -> Campaign:
    campaign = db().get(Campaign, campaign_id)
    if campaign is None:
        abort(404)
    return campaign


def _municipality_choices():
    rows = db().execute(select(Municipality.id, Municipality.name)
                        .where(Municipality.active.is_(True)).order_by(Municipality.name)).all()
    return [SelectChoice(r.id, r.name) for r in rows]


def _field_error(form, error: WorkflowError) -> None:
    name = getattr(error, "field", None)
    if name and name in form._fields:
        form._fields[name].errors = [*form._fields[name].errors, error.message]


def _labels() -> dict:
    return {"CAMPAIGN_STATE_LABELS": CAMPAIGN_STATE_LABELS,
            "TASK_STATE_LABELS": TASK_STATE_LABELS}


# ---------------------------------------------------------------- list and set-up


@bp.route("")
def index():
    session = db()
    rows = session.scalars(select(Campaign).order_by(Campaign.created_at.desc(),
                                                     Campaign.id.desc())).all()
    counts = dict(session.execute(
        select(CampaignParticipant.campaign_id, func.count(CampaignParticipant.id))
        .group_by(CampaignParticipant.campaign_id)).all())
    return render_template("campaigns/list.html", campaigns=rows, counts=counts, **_labels())


def _render_form(form, campaign=None, *, error=None, status=200):
    return render_template("campaigns/form.html", form=form, campaign=campaign, error=error,
                           **_labels()), status


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = NewCampaignForm()
    form.municipalities.choices = _municipality_choices()
    if not form.validate_on_submit():
        return _render_form(form, status=400 if request.method == "POST" else 200)
    try:
        with unit_of_work() as session:
            campaign = ops.create_campaign(session, me(), form.setup(), now=now(),
                                           requirements=(form.requirements.data or "").splitlines())
    except WorkflowError as error:
        _field_error(form, error)
        return _render_form(form, error=error.message, status=status_for(error))
    flash(gettext("Кампания «%(title)s» создана как черновик; требований: %(count)s. "
                  "Проверьте условия и подготовьте циркулярное письмо.",
                  title=campaign.title, count=len(campaign.requirements)), "success")
    return redirect(url_for(".show", campaign_id=campaign.id))


@bp.route(f"/<{ID}:campaign_id>")
def show(campaign_id: int):
    campaign = _campaign(campaign_id)
    session = db()
    return render_template(
        "campaigns/show.html", campaign=campaign, participants=ops.participants(session, campaign),
        circular=ops.draft_circular_of(session, campaign), reminder_days=ops.reminder_days(campaign),
        editable=refusal("edit", campaign.state) is None,
        requirement_form=RequirementForm(formdata=None), reason_form=ReasonForm(formdata=None),
        action_form=SimplePostForm(formdata=None), all_decided=(
            campaign.state == "open" and ops.all_decided(session, campaign)),
        **_labels())


@bp.route(f"/<{ID}:campaign_id>/edit", methods=["GET", "POST"])
def edit(campaign_id: int):
    campaign = _campaign(campaign_id)
    session = db()
    if request.method == "GET":
        form = CampaignSetupForm(obj=campaign)
        chosen = [p.municipality_id for p in ops.participants(session, campaign)]
        active = session.scalar(select(func.count(Municipality.id))
                                .where(Municipality.active.is_(True)))
        form.participants.data = "all" if len(chosen) == active else "selected"
        form.municipalities.data = chosen
        form.programmes.data = "one" if campaign.max_programmes == 1 else "several"
        form.max_programmes.data = (campaign.max_programmes
                                    if campaign.max_programmes != 1 else None)
    else:
        form = CampaignSetupForm()
    form.municipalities.choices = _municipality_choices()
    if not form.validate_on_submit():
        return _render_form(form, campaign, status=400 if request.method == "POST" else 200)
    try:
        with unit_of_work() as session:
            ops.edit_campaign(session, campaign, me(), form.setup(), now=now())
    except WorkflowError as error:
        _field_error(form, error)
        return _render_form(form, campaign, error=error.message, status=status_for(error))
    flash(gettext("Условия кампании сохранены"), "success")
    return redirect(url_for(".show", campaign_id=campaign.id))


# ---------------------------------------------------------------- requirements


def _posted(form_class):
    form = form_class()
    if not form.validate_on_submit():
        messages = [e for errors in form.errors.values() for e in errors]
        flash("; ".join(str(m) for m in messages) or gettext("Форма устарела: обновите "
                                                             "страницу"), "error")
        return None
    return form


@bp.route(f"/<{ID}:campaign_id>/requirements", methods=["POST"])
def requirement_add(campaign_id: int):
    campaign = _campaign(campaign_id)
    form = _posted(RequirementForm)
    if form is not None:
        with unit_of_work_or_flash() as session:
            ops.add_requirement(session, campaign, me(), form.text.data)
            flash(gettext("Требование добавлено"), "success")
    return redirect(url_for(".show", campaign_id=campaign_id) + "#requirements")


@bp.route(f"/<{ID}:campaign_id>/requirements/<{ID}:requirement_id>", methods=["POST"])
def requirement_edit(campaign_id: int, requirement_id: int):
    campaign = _campaign(campaign_id)
    form = _posted(RequirementForm)
    if form is not None:
        with unit_of_work_or_flash() as session:
            ops.edit_requirement(session, campaign, me(), requirement_id, form.text.data)
            flash(gettext("Требование изменено"), "success")
    return redirect(url_for(".show", campaign_id=campaign_id) + "#requirements")


@bp.route(f"/<{ID}:campaign_id>/requirements/<{ID}:requirement_id>/move", methods=["POST"])
def requirement_move(campaign_id: int, requirement_id: int):
    campaign = _campaign(campaign_id)
    way = request.form.get("way")
    if way not in ("up", "down"):
        flash(gettext("Укажите направление: выше или ниже"), "error")
    elif _posted(SimplePostForm) is not None:
        with unit_of_work_or_flash() as session:
            ops.move_requirement(session, campaign, me(), requirement_id,
                                 -1 if way == "up" else 1)
    return redirect(url_for(".show", campaign_id=campaign_id) + "#requirements")


@bp.route(f"/<{ID}:campaign_id>/requirements/<{ID}:requirement_id>/delete", methods=["POST"])
def requirement_delete(campaign_id: int, requirement_id: int):
    campaign = _campaign(campaign_id)
    if _posted(SimplePostForm) is not None:
        with unit_of_work_or_flash() as session:
            ops.delete_requirement(session, campaign, me(), requirement_id)
            flash(gettext("Требование удалено"), "success")
    return redirect(url_for(".show", campaign_id=campaign_id) + "#requirements")


# ---------------------------------------------------------------- circular and lifecycle


@bp.route(f"/<{ID}:campaign_id>/circular", methods=["POST"])
def prepare_circular(campaign_id: int):
    campaign = _campaign(campaign_id)
    if _posted(SimplePostForm) is None:
        return redirect(url_for(".show", campaign_id=campaign_id))
    try:
        with unit_of_work() as session:
            letter = ops.prepare_circular(session, campaign, me(), now=now())
    except WorkflowError as error:
        return refused(error, url_for(".show", campaign_id=campaign_id))
    flash(gettext("Проект циркулярного письма подготовлен. Когда подписант его подпишет, "
                  "кампания будет объявлена."), "success")
    return redirect(url_for("letters.show", letter_id=letter.id))


@bp.route(f"/<{ID}:campaign_id>/close", methods=["POST"])
def close(campaign_id: int):
    campaign = _campaign(campaign_id)
    form = _posted(ReasonForm)
    if form is not None:
        with unit_of_work_or_flash() as session:
            ops.close_campaign(session, campaign, me(), now=now(), reason=form.reason.data or "")
            flash(gettext("Кампания завершена: программы по ней доступны только для "
                          "просмотра"), "success")
    return redirect(url_for(".show", campaign_id=campaign_id))


@bp.route(f"/<{ID}:campaign_id>/cancel", methods=["POST"])
def cancel(campaign_id: int):
    campaign = _campaign(campaign_id)
    form = _posted(ReasonForm)
    if form is not None:
        with unit_of_work_or_flash() as session:
            ops.cancel_campaign(session, campaign, me(), now=now(), reason=form.reason.data or "")
            flash(gettext("Подготовка кампании отменена"), "success")
    return redirect(url_for(".show", campaign_id=campaign_id))
