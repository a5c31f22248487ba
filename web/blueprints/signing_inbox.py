"""The signatory's inbox: drafts awaiting their signature, signed several at a time.

Select some letters (or every letter the filter shows), enter the PIN once, confirm: the
letters are registered in the order shown, in one transaction (`workflow.bulk_signing`), and
the batch's progress page follows their PDFs (jobs, after the commit) until every one is
stored or has failed with its reason.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import func, select
from wtforms import BooleanField, HiddenField, PasswordField
from wtforms.validators import Length

from documents.issue import session_sealer, session_ttl
from workflow import acting, bulk_signing, letter_registration, signing_errors, signing_keys
from workflow.errors import (
    IllegalTransition,
    InvalidInput,
    LetterError,
    NotFound,
    PermissionDenied,
    StaleVersion,
)
from workflow.models import Campaign, User
from workflow.states import LETTER_KIND_LABELS, Role

from ..database import db, now
from ..forms import SafeForm
from ..i18n_labels import TranslatedLabels
from ..jobs.letters import NOT_ENQUEUED
from ..work import unit_of_work

bp = Blueprint("signing_inbox", __name__)

SHOWN = 500  # rows listed; "sign every letter shown by the filter" covers them all


class BulkSignForm(SafeForm):
    kind = HiddenField()
    campaign = HiddenField()
    acting_for = HiddenField()
    everything = HiddenField()
    pin = PasswordField(_l("PIN-код ключа электронной подписи"),
                        validators=[Length(max=200)], render_kw={"autocomplete": "off"})
    confirm = BooleanField(_l("Подтверждаю: подписать и зарегистрировать выбранные письма"))


def _me() -> User:
    """A signatory, or whoever substitutes an absent signatory today (any ministry user with a
    certificate of their own may be named: `absences.substitute_refusal`)."""
    me = current_user.user
    if not me.active or not (_is_signatory(me) or
                             letter_registration.acting_signatories(db(), me, now())):
        abort(403)
    return me


def _is_signatory(user: User) -> bool:
    return user.role == Role.SIGNATORY


def _acting_for(me: User, raw: str, choices: list[User]) -> tuple[User | None, str | None]:
    """The absent signatory the substitute signs for ("И.о."), from `acting_for=<id>`: one
    of `choices` (those they substitute today); otherwise their own inbox and the reason,
    in Russian."""
    if not raw:
        return None, None
    absent = next((u for u in choices if str(u.id) == raw), None)
    if absent is not None:
        return absent, None
    other = db().get(User, int(raw)) if raw.isascii() and raw.isdigit() and len(raw) < 10 \
        else None
    return None, (bulk_signing.acting_refusal(db(), me, other, now()) if other is not None
                  else gettext("Вы больше не замещаете этого подписанта"))


def _filters(source) -> tuple[str | None, int | None]:
    kind = source.get("kind") or None
    kind = kind if kind in LETTER_KIND_LABELS else None
    try:
        campaign = int(source.get("campaign") or 0) or None
    except ValueError:
        campaign = None
    if campaign is not None and not 0 < campaign < 2**31:
        campaign = None  # beyond INTEGER there is no such campaign (and PostgreSQL would refuse it)
    return kind, campaign


@bp.route("/")
@login_required
def inbox():
    me = _me()
    kind, campaign_id = _filters(request.args)
    session = db()
    choices = letter_registration.acting_signatories(session, me, now())
    absent, acting_refusal = _acting_for(me, request.args.get("acting_for") or "", choices)
    if absent is None and not _is_signatory(me) and choices:
        absent = choices[0]  # a substitute has no inbox of their own, only the absent one's
    stmt = bulk_signing.awaiting_signature(absent or me, kind=kind, campaign_id=campaign_id)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    letters = list(session.scalars(stmt.limit(SHOWN)))
    form = BulkSignForm(formdata=None, kind=kind or "", campaign=campaign_id or "",
                        acting_for=absent.id if absent else "")
    return render_template(
        "signing/inbox.html", letters=letters, total=total, shown=SHOWN, form=form,
        kind=kind, campaign_id=campaign_id, kind_labels=TranslatedLabels(LETTER_KIND_LABELS),
        campaigns=bulk_signing.campaigns_with_drafts(session),
        campaign_names={c.id: c.title for c in session.scalars(select(Campaign))},
        refusal=signing_keys.signing_refusal(session, me, now(), acting=absent is not None),
        absent=absent, acting_refusal=acting_refusal, acting_choices=choices,
        own_name=_is_signatory(me),
        acting_label=" ".join(acting.acting_position_lines(absent)) if absent else "",
    )


def _selection(me: User, form: BulkSignForm, absent: User | None) -> list[int]:
    """The letters to sign, in the order the inbox shows them."""
    kind, campaign_id = _filters({"kind": form.kind.data, "campaign": form.campaign.data})
    if form.everything.data == "1":
        return list(db().scalars(bulk_signing.awaiting_signature(
            absent or me, kind=kind, campaign_id=campaign_id).with_only_columns(
                bulk_signing.Letter.id).limit(bulk_signing.MAX_BATCH + 1)))
    chosen = []
    for raw in request.form.getlist("letter"):
        try:
            chosen.append(int(raw))
        except ValueError:
            abort(400)
    return sorted(set(chosen))  # the inbox lists drafts by id


@bp.route("/sign", methods=["POST"])
@login_required
def sign():
    me = _me()
    form = BulkSignForm()
    if not form.validate_on_submit():
        abort(400)
    back = redirect(url_for(".inbox", kind=form.kind.data or None,
                            campaign=form.campaign.data or None,
                            acting_for=form.acting_for.data or None))
    absent = None
    if form.acting_for.data:
        raw = form.acting_for.data
        # Whether they still substitute is the domain's to say (a clear refusal, below).
        absent = db().get(User, int(raw)) if raw.isascii() and raw.isdigit() and len(raw) < 10 \
            else None
        if absent is None:
            abort(400)
    ids = _selection(me, form, absent)
    if not ids:
        flash(gettext("Выберите письма для подписи."), "error")
        return back
    if not form.confirm.data:
        flash(gettext("Подтвердите подписание отметкой «Подтверждаю»."), "error")
        return back
    app = current_app._get_current_object()
    try:
        # One PDF job per letter is enqueued when this commits (web/jobs/letters.py); a wrong
        # PIN keeps only the failed attempt (WrongPin.kept) and registers nothing.
        with unit_of_work() as session:
            batch = bulk_signing.sign_batch(session, ids, me, now=now(),
                                            pin=form.pin.data or "",
                                            sealer=session_sealer(app),
                                            session_ttl=session_ttl(app), acting_for=absent)
    except (signing_errors.SigningRefused, IllegalTransition, InvalidInput, LetterError, NotFound,
            PermissionDenied, StaleVersion) as error:  # a decision letter's route refusing too
        flash(error.message, "error")
        return back
    batch_id, total = batch.id, batch.total
    flash(ngettext("Подписано и зарегистрировано %(num)d письмо; PDF формируются.",
                   "Подписано и зарегистрировано %(num)d писем; PDF формируются.", total),
          "success")
    if session.info.pop(NOT_ENQUEUED, 0):
        flash(gettext("Очередь фоновых заданий сейчас недоступна: PDF будут сформированы "
                      "автоматически, как только она заработает. Письма зарегистрированы."),
              "info")
    return redirect(url_for(".batch", batch_id=batch_id))


@bp.route("/batches/<int:batch_id>")
@login_required
def batch(batch_id: int):
    me = _me()
    progress = bulk_signing.progress(db(), batch_id, now=now())
    if progress is None or progress.user_id != me.id:
        abort(404)
    return render_template("signing/batch.html", progress=progress)
