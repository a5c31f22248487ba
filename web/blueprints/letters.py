"""Outgoing letters: the registration journal, a letter's page, drafting, signing, dispatch,
campaign letters (circular, reminders) and the organisation profile printed on the letterhead.

Handlers parse, check, call one `workflow.letters` operation and commit once. Rendering and
signing the PDF is a job enqueued after the commit (`web.jobs.letters`, the one owner): the
page shows "PDF формируется" and refreshes itself until the PDF is there; when the job fails
the letter stays registered and signed, and the page offers to render it again.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import logging
from datetime import date, datetime
from functools import lru_cache
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf.file import FileField
from sqlalchemy import case, func, or_, select, true
from sqlalchemy.orm import joinedload
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import (
    BooleanField,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Regexp

from documents.issue import (
    draft_context,
    pdf_filename,
    render_with_pin,
    session_sealer,
    session_ttl,
)
from documents.render import TEMPLATE_DIR, get_renderer
from workflow import letters as ops
from workflow import signing_keys, timefmt
from workflow.errors import (
    IllegalTransition,
    InvalidInput,
    LetterError,
    PermissionDenied,
    StaleVersion,
)
from workflow.models import Campaign, Letter, OrganisationProfile, User
from workflow.signin import log_event
from workflow.states import (
    LETTER_KIND_LABELS,
    LETTER_STATE_LABELS,
    LetterKind,
    LetterState,
    Role,
)

from ..database import db, now
from ..extensions import request_timezone
from ..forms import SafeForm
from ..i18n_labels import TranslatedLabels
from ..upload_checks import (  # noqa: F401 (EmblemRejected: importers of the old place)
    EMBLEM_MAX_BYTES,
    EmblemRejected,
    check_emblem_svg,
)

try:  # WTForms 3.3 deprecates (value, label) tuples
    from wtforms.fields.choices import SelectChoice
except ImportError:  # pragma: no cover - older WTForms
    SelectChoice = None

log = logging.getLogger(__name__)

bp = Blueprint("letters", __name__)

DRAFTERS = (Role.REVIEWER, Role.SIGNATORY, Role.ADMIN)
REGISTERED = (LetterState.SIGNED, LetterState.DISPATCHED)
STALE_LETTER = (
    _l("Письмо было изменено другим пользователем после того, как вы его открыли. "
       "Ваш текст сохранён в форме ниже: сверьте его с текущей редакцией и сохраните снова.")
)
PROFILE_MAX_REQUEST = 1024 * 1024

# Russian time zones for the registration calendar (the date printed on a letter).
TIMEZONES = (
    ("Europe/Kaliningrad", _l("Калининград (UTC+2)")),
    ("Europe/Moscow", _l("Москва (UTC+3)")),
    ("Europe/Samara", _l("Самара (UTC+4)")),
    ("Asia/Yekaterinburg", _l("Екатеринбург (UTC+5)")),
    ("Asia/Omsk", _l("Омск (UTC+6)")),
    ("Asia/Novosibirsk", _l("Новосибирск (UTC+7)")),
    ("Asia/Krasnoyarsk", _l("Красноярск (UTC+7)")),
    ("Asia/Irkutsk", _l("Иркутск (UTC+8)")),
    ("Asia/Yakutsk", _l("Якутск (UTC+9)")),
    ("Asia/Vladivostok", _l("Владивосток (UTC+10)")),
    ("Asia/Magadan", _l("Магадан (UTC+11)")),
    ("Asia/Kamchatka", _l("Петропавловск-Камчатский (UTC+12)")),
)

PREVIEW_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; frame-ancestors 'self'"

# On screen the print stylesheet's @page box and footnotes do not apply: draw a sheet.
PREVIEW_SCREEN_CSS = """
@media screen {
  html { background: #8a939c; }
  body { position: relative; background: #fff; width: 210mm; min-height: 297mm;
         margin: 6mm auto; padding: 20mm 10mm 20mm 25mm; box-sizing: border-box;
         box-shadow: 0 1px 6px rgba(0,0,0,.35); overflow: hidden; }
  .watermark { position: absolute; top: 110mm; left: 25mm; }
  .last-page-foot { margin-top: 12mm; }
}
"""


# ------------------------------------------------------------------ forms


def _choices(pairs) -> list:
    return [SelectChoice(v, label) for v, label in pairs] if SelectChoice else list(pairs)


class ActionForm(SafeForm):
    """A button that acts on a letter: CSRF plus the version the user saw."""

    version = HiddenField()

    def seen_version(self) -> int | None:
        try:
            return int(self.version.data)
        except (TypeError, ValueError):
            return None


class SignForm(ActionForm):
    """Signing (or producing the PDF again) asks for the PIN of the signatory's own key."""

    pin = PasswordField(_l("PIN-код ключа электронной подписи"),
                        validators=[Length(max=200)], render_kw={"autocomplete": "off"})


class LetterForm(ActionForm):
    addressee = TextAreaField(_l("Адресат (каждая строка — отдельно)"),
                              validators=[DataRequired(_l("Укажите адресата")), Length(max=1000)])
    heading = TextAreaField(_l("Заголовок к тексту"),
                            validators=[DataRequired(_l("Укажите заголовок")), Length(max=500)])
    salutation = StringField(_l("Обращение"),
                             validators=[DataRequired(_l("Укажите обращение")), Length(max=200)])
    body = TextAreaField(_l("Текст письма (абзацы разделяйте пустой строкой)"),
                         validators=[DataRequired(_l("Введите текст письма")),
                                     Length(max=ops.MAX_BODY)])


class CircularForm(SafeForm):
    heading = TextAreaField(_l("Заголовок к тексту"),
                            validators=[DataRequired(_l("Укажите заголовок")), Length(max=500)])
    salutation = StringField(_l("Обращение"), default="Уважаемые коллеги!",
                             validators=[DataRequired(_l("Укажите обращение")), Length(max=200)])
    body = TextAreaField(_l("Текст письма (абзацы разделяйте пустой строкой)"),
                         validators=[DataRequired(_l("Введите текст письма")),
                                     Length(max=ops.MAX_BODY)])


class ProfileForm(SafeForm):
    name = StringField(_l("Полное наименование организации"),
                       validators=[DataRequired(_l("Укажите наименование")), Length(max=300)])
    letterhead = TextAreaField(_l("Наименование на бланке (каждая строка — отдельно)"),
                               validators=[DataRequired(_l("Укажите строки бланка")), Length(max=1000)])
    address = StringField(_l("Почтовый адрес"),
                          validators=[DataRequired(_l("Укажите адрес")), Length(max=300)])
    phone = StringField(_l("Телефон"), validators=[DataRequired(_l("Укажите телефон")), Length(max=100)])
    email = StringField(_l("Электронная почта"),
                        validators=[DataRequired(_l("Укажите электронную почту")), Length(max=200),
                                    Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
                                           message=_l("Проверьте адрес электронной почты"))])
    emblem = FileField(_l("Герб (SVG, не более 200 КБ)"))
    remove_emblem = BooleanField(_l("Убрать загруженный герб (печатать стандартный)"))
    journal_index = StringField(
        _l("Индекс журнала регистрации"),
        validators=[DataRequired(_l("Укажите индекс журнала")), Length(max=20),
                    Regexp(r"^[0-9A-Za-zА-Яа-яЁё.\-]+$",
                           message=_l("Индекс: буквы, цифры, точка и дефис, без «/» и пробелов"))],
    )
    numbering = SelectField(_l("Нумерация"), choices=_choices([
        ("continuous", _l("Сквозная (номера не сбрасываются)")),
        ("yearly", _l("С начала каждого календарного года")),
    ]))
    public_base_url = StringField(_l("Адрес сайта для проверки писем (QR-код)"),
                                  validators=[DataRequired(_l("Укажите адрес")), Length(max=300)])
    timezone = SelectField(_l("Часовой пояс даты регистрации"), choices=_choices(TIMEZONES))

    def validate_public_base_url(self, field):
        from wtforms.validators import ValidationError

        parts = urlsplit((field.data or "").strip())
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
            raise ValidationError(gettext("Укажите адрес вида https://letters.example.ru"))

    def validate_timezone(self, field):
        from wtforms.validators import ValidationError

        try:
            ZoneInfo(field.data or "")
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValidationError(gettext("Неизвестный часовой пояс")) from error


# ------------------------------------------------------------------ helpers


def _me() -> User:
    return current_user.user


def _is_drafter(user: User) -> bool:
    return user.active and user.role in DRAFTERS


def _visible(user: User):
    condition = ops.visible_letters_filter(user)
    return true() if condition is True else condition


def _load(letter_id: int) -> Letter:
    """The letter if this user may see it; another municipality's letter is simply absent.

    No eager joins: the operations refresh the row `FOR UPDATE`, which PostgreSQL refuses
    on the nullable side of the outer joins that eager loading would bring along."""
    letter = db().scalar(select(Letter).where(Letter.id == letter_id, _visible(_me())))
    if letter is None:
        abort(404)
    return letter


def _ddmmyyyy(value: date | datetime | None) -> str:
    return timefmt.ddmmyyyy(value, request_timezone())


def _programme_url(letter: Letter) -> str | None:
    if not letter.programme_id:
        return None
    return url_for("programmes.show", programme_id=letter.programme_id)


@bp.context_processor
def _labels():
    return {
        "state_labels": TranslatedLabels(LETTER_STATE_LABELS),
        "kind_labels": TranslatedLabels(LETTER_KIND_LABELS),
        "ddmmyyyy": _ddmmyyyy,
        "programme_url": _programme_url,
    }


# ------------------------------------------------------------------ journal


def _journal_filters(args) -> tuple[dict, list]:
    q = (args.get("q") or "").strip()[:200]
    state = args.get("state") or ""
    kind = args.get("kind") or ""
    conditions = [_visible(_me())]
    if state in LETTER_STATE_LABELS:
        conditions.append(Letter.state == state)
    else:
        state = ""
    if kind in LETTER_KIND_LABELS:
        conditions.append(Letter.kind == kind)
    else:
        kind = ""
    if q:
        # SQLite folds only ASCII case, so the usual spellings of a Cyrillic query are tried too.
        variants = {q, q.lower(), q.upper(), q[:1].upper() + q[1:].lower()}
        matches = []
        for variant in variants:
            pattern = "%" + variant.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            for column in (Letter.number, Letter.addressee, Letter.heading):
                matches.append(column.ilike(pattern, escape="\\"))
        conditions.append(or_(*matches))
    return {"q": q, "state": state, "kind": kind}, conditions


def _journal_order():
    # Drafts (no number yet) first, then the journal in reverse number order.
    return (case((Letter.seq.is_(None), 0), else_=1), Letter.journal_year.desc(),
            Letter.seq.desc(), Letter.id.desc())


@bp.route("/")
@login_required
def index():
    filters, conditions = _journal_filters(request.args)
    session = db()
    page_size = current_app.config["PAGE_SIZE"]
    total = session.scalar(select(func.count(Letter.id)).where(*conditions)) or 0
    pages = max(1, (total + page_size - 1) // page_size)
    try:
        page = min(max(1, int(request.args.get("page", 1))), pages)
    except ValueError:
        page = 1
    rows = session.scalars(
        select(Letter).where(*conditions).order_by(*_journal_order())
        .options(joinedload(Letter.signatory))
        .limit(page_size).offset((page - 1) * page_size)
    ).all()
    me = _me()
    campaigns = []
    if _is_drafter(me):
        campaigns = session.scalars(select(Campaign).order_by(Campaign.id.desc()).limit(10)).all()
    return render_template(
        "letters_ui/journal.html", letters=rows, filters=filters, total=total, page=page,
        pages=pages, campaigns=campaigns, can_profile=me.role == Role.ADMIN,
    )


def _csv_cell(value) -> str:
    text = "" if value is None else str(value).replace("\r\n", "\n").replace("\n", " ").strip()
    # A cell that starts like a formula would be run by the spreadsheet.
    if text[:1] in ("=", "+", "-", "@", "\t"):
        text = "'" + text
    return text


@bp.route("/journal.csv")
@login_required
def journal_csv():
    _filters, conditions = _journal_filters(request.args)
    rows = db().scalars(
        select(Letter).where(*conditions).order_by(*_journal_order())
        .options(joinedload(Letter.signatory))
    ).all()
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Номер", "Дата регистрации", "Вид письма", "Адресат", "Заголовок",
                     "Подписант", "Исполнитель", "Состояние", "Код проверки"])
    for letter in rows:
        writer.writerow([_csv_cell(v) for v in (
            letter.number or "",
            _ddmmyyyy(letter.registered_on),
            LETTER_KIND_LABELS.get(letter.kind, letter.kind),
            letter.addressee,
            letter.heading,
            letter.signatory.full_name if letter.signatory else "",
            letter.executor_name,
            LETTER_STATE_LABELS.get(letter.state, letter.state),
            letter.verification_code if letter.state in REGISTERED else "",
        )])
    data = ("\ufeff" + buffer.getvalue()).encode("utf-8")
    stamp = timefmt.local_date(now(), request_timezone()).isoformat()
    response = current_app.response_class(data, mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="journal-{stamp}.csv"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


# ------------------------------------------------------------------ one letter


def _letter_form(letter: Letter) -> LetterForm:
    form = LetterForm(formdata=None, obj=letter)
    form.version.data = str(letter.version)
    return form


def _show(letter: Letter, form: LetterForm | None = None, status: int = 200, current=None):
    me = _me()
    editable = letter.state == LetterState.DRAFT and _is_drafter(me)
    if editable and form is None:
        form = _letter_form(letter)
    action = SignForm(formdata=None)
    action.version.data = str(letter.version)
    is_signatory = me.role == Role.SIGNATORY and me.active
    sign_refusal = None
    if letter.state == LetterState.DRAFT and is_signatory:
        sign_refusal = signing_keys.signing_refusal(db(), me, now())
    unrendered = letter.state in REGISTERED and letter.pdf_sha256 is None
    needs_pin = unrendered and signing_keys.live_session(db(), letter.id, now()) is None
    return render_template(
        "letters_ui/show.html", letter=letter, form=form if editable else None, action=action,
        current=current,
        can_sign=letter.state == LetterState.DRAFT and is_signatory,
        acting_for=(ops.acting_signatories(db(), me, now())
                    if letter.state == LetterState.DRAFT and is_signatory else []),
        sign_refusal=sign_refusal,
        needs_pin=needs_pin,
        pdf_pending=unrendered and not needs_pin and not letter.render_error,
        can_render_with_pin=needs_pin and letter.signatory_id == me.id and is_signatory,
        certificate=_certificate_of(letter),
        can_cancel=editable,
        can_dispatch=letter.state == LetterState.SIGNED and letter.pdf_sha256 is not None
        and me.role in DRAFTERS,
        can_render=letter.state in REGISTERED and letter.pdf_sha256 is None and me.role in DRAFTERS,
        is_ministry=me.is_ministry,
    ), status


def _certificate_of(letter: Letter) -> dict | None:
    """The certificate a registered letter is signed with, as recorded at signing."""
    if not letter.final_data:
        return None
    return json.loads(letter.final_data).get("certificate")


@bp.route("/<int:letter_id>")
@login_required
def show(letter_id: int):
    return _show(_load(letter_id))


@bp.route("/<int:letter_id>/preview")
@login_required
def preview(letter_id: int):
    letter = _load(letter_id)
    html = get_renderer().render_html(draft_context(db(), letter))
    html = _with_print_css(html)
    response = current_app.response_class(html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = PREVIEW_CSP
    # The letter page shows the preview in a sandboxed frame of the same origin.
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@lru_cache(maxsize=1)
def _print_css() -> str:
    return (TEMPLATE_DIR / "letter.css").read_text(encoding="utf-8")


def _with_print_css(html: str) -> str:
    """The print template gets its stylesheet from the renderer; a browser needs it inline."""
    if "<style" in html:
        return html
    css = (_print_css() + PREVIEW_SCREEN_CSS).replace("</", "<\\/")
    return html.replace("</head>", f"<style>{css}</style>\n</head>", 1)


@bp.route("/<int:letter_id>/pdf")
@login_required
def pdf(letter_id: int):
    letter = _load(letter_id)
    data = db().scalar(select(Letter.pdf).where(Letter.id == letter.id))
    if data is None:
        abort(404)
    response = current_app.response_class(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{pdf_filename(letter)}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/<int:letter_id>/edit", methods=["POST"])
@login_required
def edit(letter_id: int):
    letter = _load(letter_id)
    me = _me()
    if not _is_drafter(me):
        abort(403)
    form = LetterForm()
    if not form.validate_on_submit():
        return _show(letter, form, 400)
    if letter.state != LetterState.DRAFT:
        flash(gettext("Изменять можно только проект письма; подписанное письмо не меняется. "
                      "Для исправления подготовьте новое письмо."), "error")
        return redirect(url_for(".show", letter_id=letter.id))
    session = db()
    edit_values = ops.LetterEdit(addressee=form.addressee.data, heading=form.heading.data,
                                 salutation=form.salutation.data, body=form.body.data)
    try:
        ops.edit_letter(session, letter, me, edit_values, now=now(),
                        expected_version=form.seen_version())
    except StaleVersion:
        session.rollback()
        letter = _load(letter_id)
        if letter.state != LetterState.DRAFT:
            flash(gettext("Письмо уже подписано или аннулировано; изменить его нельзя."), "error")
            return redirect(url_for(".show", letter_id=letter.id))
        flash(str(STALE_LETTER), "error")
        form.version.data = str(letter.version)  # the next save overwrites knowingly
        return _show(letter, form, 409, current=letter)
    except IllegalTransition as error:
        session.rollback()
        flash(error.message, "error")
        return redirect(url_for(".show", letter_id=letter_id))
    except InvalidInput as error:
        session.rollback()
        flash(error.message, "error")
        return _show(_load(letter_id), form, 400)
    session.commit()
    flash(gettext("Проект письма сохранён"), "success")
    return redirect(url_for(".show", letter_id=letter.id))


def _already_signed_message(letter: Letter) -> str:
    if letter.state in REGISTERED:
        return gettext("Письмо уже подписано и зарегистрировано: № %(number)s "
                       "от %(date)s. Повторная подпись не нужна.",
                       number=letter.number, date=_ddmmyyyy(letter.registered_on))
    return gettext("Письмо аннулировано; подписать его нельзя.")


@bp.route("/<int:letter_id>/sign", methods=["POST"])
@login_required
def sign(letter_id: int):
    letter = _load(letter_id)
    me = _me()
    if me.role != Role.SIGNATORY or not me.active:
        abort(403)
    form = SignForm()
    if not form.validate_on_submit():
        abort(400)
    if letter.state != LetterState.DRAFT:
        flash(_already_signed_message(letter), "info")
        return redirect(url_for(".show", letter_id=letter.id))
    session = db()
    acting_for = None
    if request.form.get("acting_for"):
        acting_for = next((u for u in ops.acting_signatories(session, me, now())
                           if str(u.id) == request.form.get("acting_for")), None)
        if acting_for is None:
            flash(gettext("Вы больше не замещаете этого подписанта: подпишите от своего имени"),
                  "error")
            return redirect(url_for(".show", letter_id=letter_id))
    try:
        ops.sign_letter(session, letter, me, now=now(), pin=form.pin.data or "",
                        sealer=session_sealer(current_app), session_ttl=session_ttl(current_app),
                        expected_version=form.seen_version(), acting_for=acting_for)
    except signing_keys.WrongPin as error:
        session.commit()  # only the failed attempt is recorded; the letter stays a draft
        flash(error.message, "error")
        return redirect(url_for(".show", letter_id=letter_id))
    except signing_keys.SigningRefused as error:
        session.rollback()
        flash(error.message, "error")
        return redirect(url_for(".show", letter_id=letter_id))
    except StaleVersion:
        session.rollback()
        letter = _load(letter_id)
        if letter.state != LetterState.DRAFT:
            flash(_already_signed_message(letter), "info")
        else:
            flash(gettext("Проект письма изменился после того, как вы его открыли. "
                          "Прочитайте текущую редакцию и подпишите снова."), "error")
        return redirect(url_for(".show", letter_id=letter_id))
    except (IllegalTransition, LetterError, PermissionDenied) as error:
        session.rollback()
        flash(error.message, "error")
        return redirect(url_for(".show", letter_id=letter_id))
    session.commit()  # the render job is enqueued when this commits (web.jobs.letters)
    number, registered_on = letter.number, _ddmmyyyy(letter.registered_on)
    stored, error = _pdf_state(letter_id)
    if stored:
        flash(gettext("Письмо подписано и зарегистрировано: № %(number)s от %(date)s. "
                      "PDF с электронной подписью сформирован.",
                      number=number, date=registered_on), "success")
    elif error:
        flash(gettext("Письмо зарегистрировано под № %(number)s от %(date)s и подписано, "
                      "но PDF сформировать не удалось. Попытка будет повторена; можно "
                      "нажать «Сформировать PDF повторно» или обратиться к администратору.",
                      number=number, date=registered_on), "error")
    else:
        flash(gettext("Письмо подписано и зарегистрировано: № %(number)s от %(date)s. "
                      "PDF с электронной подписью формируется.",
                      number=number, date=registered_on), "success")
    return redirect(url_for(".show", letter_id=letter_id))


def _pdf_state(letter_id: int) -> tuple[bool, str | None]:
    """(PDF stored?, last rendering error) as committed now."""
    session = db()
    session.rollback()
    row = session.execute(select(Letter.pdf_sha256, Letter.render_error)
                          .where(Letter.id == letter_id)).one()
    return row.pdf_sha256 is not None, row.render_error


def _enqueue_render(letter_id: int) -> None:
    from web.jobs.letters import enqueue_renders

    enqueue_renders(current_app._get_current_object(), [letter_id])


@bp.route("/<int:letter_id>/render", methods=["POST"])
@login_required
def render(letter_id: int):
    letter = _load(letter_id)
    me = _me()
    if me.role not in DRAFTERS:
        abort(403)
    form = SignForm()
    if not form.validate_on_submit():
        abort(400)
    if letter.state not in REGISTERED:
        flash(gettext("PDF формируется только для подписанного письма."), "error")
    elif letter.pdf_sha256 is not None:
        flash(gettext("PDF уже сформирован."), "info")
    elif form.pin.data:
        # The signing session expired: the signatory opens the same key with the PIN.
        my_id = me.id
        db().rollback()  # and no expired row is touched after this (SQLite's write lock)
        try:
            render_with_pin(current_app, letter_id, my_id, form.pin.data)
        except signing_keys.SigningRefused as error:
            flash(error.message, "error")
        except Exception:  # the letter is registered; a failure here is retryable
            log.exception("letter %s: PDF rendering with the PIN failed", letter_id)
            flash(gettext("PDF не удалось сформировать. Письмо остаётся зарегистрированным; "
                          "обратитесь к администратору."), "error")
        else:
            flash(gettext("PDF с электронной подписью сформирован."), "success")
    else:
        # Hold no lock while the job runs (immediate mode runs it here).
        db().rollback()
        _enqueue_render(letter_id)
        stored, error = _pdf_state(letter_id)
        if stored:
            flash(gettext("PDF с электронной подписью сформирован."), "success")
        elif error:
            flash(gettext("PDF снова не удалось сформировать. Письмо остаётся "
                          "зарегистрированным; обратитесь к администратору."), "error")
        else:
            flash(gettext("PDF с электронной подписью формируется."), "info")
    return redirect(url_for(".show", letter_id=letter_id))


def _move_letter(letter_id: int, operation, success) -> Response:
    """Dispatch or cancel: one operation on the letter, one commit, a message, back to it."""
    letter = _load(letter_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    session = db()
    try:
        operation(session, letter, _me(), now=now())
    except PermissionDenied:
        raise
    except (IllegalTransition, StaleVersion) as error:
        session.rollback()
        flash(error.message if isinstance(error, IllegalTransition)
              else gettext("Письмо изменилось; обновите страницу."), "error")
        return redirect(url_for(".show", letter_id=letter_id))
    session.commit()
    flash(success(letter), "success")
    return redirect(url_for(".show", letter_id=letter_id))


@bp.route("/<int:letter_id>/dispatch", methods=["POST"])
@login_required
def dispatch(letter_id: int):
    return _move_letter(letter_id, ops.dispatch_letter, lambda letter: gettext(
        "Письмо № %(number)s отмечено как отправленное.", number=letter.number))


@bp.route("/<int:letter_id>/cancel", methods=["POST"])
@login_required
def cancel(letter_id: int):
    return _move_letter(letter_id, ops.cancel_letter,
                        lambda _letter: gettext("Проект письма аннулирован."))


# ------------------------------------------------------------------ campaign letters


def _campaign(campaign_id: int) -> Campaign:
    if not _is_drafter(_me()):
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
        session = db()
        letter = ops.draft_circular(session, campaign, _me(), now=now(),
                                    heading=form.heading.data.strip(),
                                    body=form.body.data.replace("\r\n", "\n").strip(),
                                    salutation=form.salutation.data.strip())
        session.commit()
        flash(gettext("Проект циркулярного письма подготовлен. Проверьте его и передайте "
                      "на подпись."), "success")
        return redirect(url_for(".show", letter_id=letter.id))
    status = 400 if form.is_submitted() else 200
    return render_template("letters_ui/circular.html", form=form, campaign=campaign,
                           reminder_form=ActionForm(formdata=None)), status


@bp.route("/campaigns/<int:campaign_id>/reminders", methods=["POST"])
@login_required
def reminders(campaign_id: int):
    campaign = _campaign(campaign_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    session = db()
    drafted = ops.draft_reminders(session, campaign, _me(), now=now())
    session.commit()
    if not drafted:
        flash(gettext("Напоминания не нужны: все муниципалитеты направили программы "
                      "или проекты напоминаний уже подготовлены."), "info")
        return redirect(url_for(".circular", campaign_id=campaign.id))
    flash(gettext("Подготовлено проектов напоминаний: %(count)s. Они ждут подписи в журнале.",
                  count=len(drafted)), "success")
    return redirect(url_for(".index", kind=LetterKind.REMINDER, state=LetterState.DRAFT))


# ------------------------------------------------------------------ organisation profile


# The emblem's checks live with the other upload checks (web/upload_checks.py).


def _emblem_uri(svg: str | None) -> str | None:
    if not svg:
        return None
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _profile_or_new() -> OrganisationProfile:
    profile = db().scalar(select(OrganisationProfile).order_by(OrganisationProfile.id).limit(1))
    return profile or OrganisationProfile(numbering="continuous", timezone="Asia/Vladivostok",
                                          journal_index="23")


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    me = _me()
    if me.role != Role.ADMIN or not me.active:
        abort(403)
    if request.method == "POST":
        request.max_content_length = PROFILE_MAX_REQUEST
    record = _profile_or_new()
    try:
        form = ProfileForm(obj=record)
        if record.timezone and record.timezone not in dict(TIMEZONES):
            form.timezone.choices = _choices([*TIMEZONES, (record.timezone, record.timezone)])
        submitted = form.validate_on_submit()
    except RequestEntityTooLarge:
        flash(gettext("Файл герба больше 200 КБ"), "error")
        return redirect(url_for(".profile"))
    emblem_error = None
    if submitted:
        upload = form.emblem.data
        emblem = record.emblem_svg
        if upload is not None and getattr(upload, "filename", ""):
            try:
                emblem = check_emblem_svg(upload.read(EMBLEM_MAX_BYTES + 1))
            except EmblemRejected as error:
                emblem_error = str(error)
        elif form.remove_emblem.data:
            emblem = None
        if emblem_error is None:
            session = db()
            record.name = form.name.data.strip()
            record.letterhead = "\n".join(
                line.strip() for line in form.letterhead.data.splitlines() if line.strip())
            record.address = form.address.data.strip()
            record.phone = form.phone.data.strip()
            record.email = form.email.data.strip()
            record.emblem_svg = emblem
            record.journal_index = form.journal_index.data.strip()
            record.numbering = form.numbering.data
            record.public_base_url = form.public_base_url.data.strip().rstrip("/")
            record.timezone = form.timezone.data
            session.add(record)
            log_event(session, "letters.profile.update", now=now(), user=me,
                      address=request.remote_addr or "",
                      detail=f"index={record.journal_index} numbering={record.numbering}")
            session.commit()
            flash(gettext("Реквизиты бланка сохранены. Они будут напечатаны на письмах, "
                          "подписанных с этого момента."), "success")
            return redirect(url_for(".profile"))
    status = 400 if form.is_submitted() and (emblem_error or form.errors) else 200
    return render_template("letters_ui/profile.html", form=form, emblem_error=emblem_error,
                           emblem_uri=_emblem_uri(record.emblem_svg)), status
