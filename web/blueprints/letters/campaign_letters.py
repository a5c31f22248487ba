"""A campaign's letters: the circular that announces it, and reminders to the
municipalities that have not sent their programmes yet. Both are drafts to be signed."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import login_required

from workflow import letter_drafting
from workflow.models import Campaign
from workflow.states import LetterKind, LetterState

from ...database import db, now
from ...forms import CircularForm, SimplePostForm
from ...screen_work import unit_of_work
from .common import bp, is_drafter, me


def _campaign(campaign_id: int) -> Campaign:
    if not is_drafter(me()):
        abort(403)
    campaign = db().get(Campaign, campaign_id)
    if campaign is None:
        abort(404)
    return campaign


@bp.route("/campaigns/<int:campaign_id>/circular", methods=["GET", "POST"])
@login_required
def circular(campaign_id: int):
    campaign = _campaign(campaign_id)
    form = CircularForm()
    if form.validate_on_submit():
        with unit_of_work() as session:
            letter = letter_drafting.draft_circular(session, campaign, me(), now=now(),
                                                    heading=form.heading.data.strip(),
                                                    body=form.body.data.replace("\r\n", "\n").strip(),
                                                    salutation=form.salutation.data.strip())
        flash(gettext("Проект циркулярного письма подготовлен. Проверьте его и передайте "
                      "на подпись."), "success")
        return redirect(url_for(".show", letter_id=letter.id))
    status = 400 if form.is_submitted() else 200
    return render_template("letters_ui/circular.html", form=form, campaign=campaign,
                           reminder_form=SimplePostForm(formdata=None)), status


@bp.route("/campaigns/<int:campaign_id>/reminders", methods=["POST"])
@login_required
def reminders(campaign_id: int):
    campaign = _campaign(campaign_id)
    if not SimplePostForm().validate_on_submit():
        abort(400)
    with unit_of_work() as session:
        drafted = letter_drafting.draft_reminders(session, campaign, me(), now=now())
    if not drafted:
        flash(gettext("Напоминания не нужны: все муниципалитеты направили программы "
                      "или проекты напоминаний уже подготовлены."), "info")
        return redirect(url_for(".circular", campaign_id=campaign_id))
    flash(gettext("Подготовлено проектов напоминаний: %(count)s. Они ждут подписи в журнале.",
                  count=len(drafted)), "success")
    return redirect(url_for(".index", kind=LetterKind.REMINDER, state=LetterState.DRAFT))
