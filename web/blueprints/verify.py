"""Public verification of letters: anyone holding a letter (or its QR code) checks it here.

`/verify/<code>` shows only the registration requisites of a signed letter, never its text;
a draft's code and an unknown code get the same "not found" page. A PDF uploaded for checking
must carry a valid, trusted signature that covers the whole file AND be byte for byte the PDF
registered under that code.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge

from documents.issue import trust_roots
from documents.verify import NOT_A_PDF, verify_pdf
from workflow import timefmt
from workflow.letter_data import LetterData
from workflow.models import Letter
from workflow.states import LETTER_STATE_LABELS, LetterState

from ..database import db
from ..extensions import csrf, request_timezone
from ..i18n_labels import tr

bp = Blueprint("verify", __name__)

MAX_UPLOAD = 5 * 1024 * 1024
CODE_RE = re.compile(r"^[A-Z0-9]{4,32}$")
NOT_REGISTERED_PDF = _l("Это не тот документ, что зарегистрирован под этим кодом")
NO_PDF_YET = _l("Электронный экземпляр этого письма ещё не сформирован; "
                "проверка файла пока невозможна")


class UploadForm(FlaskForm):
    document = FileField(_l("PDF-файл письма"))


def _too_big() -> str:
    return gettext("Файл больше %(limit)s МБ; письма министерства намного меньше",
                   limit=MAX_UPLOAD // (1024 * 1024))


def normalise_code(raw: str) -> str:
    return re.sub(r"[\s\-]+", "", raw or "").upper()


def _not_found():
    return render_template("letters_ui/verify_not_found.html"), 404


def _registered(code: str) -> Letter | None:
    if not CODE_RE.match(code):
        return None
    return db().scalar(
        select(Letter).where(
            Letter.verification_code == code,
            Letter.state.in_([LetterState.SIGNED, LetterState.DISPATCHED]),
        )
    )


def _requisites(letter: Letter) -> dict:
    """Only what is printed on the letter's head and signature; never its text."""
    data = LetterData.from_json(letter.final_data)
    certificate = data.certificate
    return {
        "number": letter.number,
        "date": letter.registered_on.strftime("%d.%m.%Y") if letter.registered_on else "",
        "addressee_lines": list(data.addressee_lines) or letter.addressee.splitlines(),
        "heading": data.heading or letter.heading,
        "signatory_position": " ".join(data.signatory_position_lines),
        # Who signed is the owner named by the certificate the letter was signed with, as
        # recorded at signing (and enforced when its PDF is signed); letters registered
        # before per-signatory keys have only the printed name.
        "signatory_name": (certificate.owner if certificate else "") or data.signatory_name,
        "certificate_serial": certificate.serial if certificate else None,
        "certificate_valid": (f"{_ru_date(certificate.valid_from)} — "
                              f"{_ru_date(certificate.valid_to)}") if certificate else "",
        "certificate_issuer": certificate.issuer if certificate else "",
        "state": tr(LETTER_STATE_LABELS.get(letter.state, letter.state)),
        "sha256": letter.pdf_sha256,
        "code": letter.verification_code,
        "organisation": data.organisation.name,
    }


def _ru_date(value: date) -> str:
    return value.strftime("%d.%m.%Y")


@bp.route("/")
def index():
    raw = request.args.get("code")
    if raw is not None:
        code = normalise_code(raw)
        if code:
            return redirect(url_for(".show", code=code))
        return render_template("letters_ui/verify_index.html",
                               error=gettext("Введите код проверки с письма")), 400
    return render_template("letters_ui/verify_index.html", error=None)


@bp.route("/<code>", methods=["GET", "POST"])
@csrf.exempt  # checked by UploadForm itself, after the tighter upload limit is in force
def show(code: str):
    canonical = normalise_code(code)
    if canonical != code and request.method == "GET":
        return redirect(url_for(".show", code=canonical))
    letter = _registered(canonical)
    if letter is None:
        return _not_found()
    requisites = _requisites(letter)
    if request.method == "GET":
        return render_template("letters_ui/verify_show.html", letter=requisites,
                               form=UploadForm(formdata=None), check=None)

    request.max_content_length = MAX_UPLOAD + 64 * 1024  # the file plus the form's overhead
    try:
        form = UploadForm()
        valid = form.validate_on_submit()
        upload = form.document.data
    except RequestEntityTooLarge:
        return _answer(requisites, {"ok": False, "reasons": [
            _too_big()]},
            413)
    if not valid:
        return _answer(requisites, {"ok": False, "reasons": [
            gettext("Форма устарела. Обновите страницу и загрузите файл снова")]}, 400)
    if upload is None or not getattr(upload, "filename", ""):
        return _answer(requisites, {"ok": False, "reasons": [gettext("Выберите файл для проверки")]}, 400)
    data = upload.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        return _answer(requisites, {"ok": False, "reasons": [
            _too_big()]},
            413)
    return _answer(requisites, check_document(data, letter, trust_roots(current_app)), 200)


def check_document(data: bytes, letter: Letter, roots: list) -> dict:
    result = verify_pdf(data, roots)
    reasons = list(result.reasons)
    matches = letter.pdf_sha256 is not None and result.sha256 == letter.pdf_sha256
    if letter.pdf_sha256 is None:
        reasons.append(str(NO_PDF_YET))
    elif not matches and NOT_A_PDF not in reasons:
        reasons.append(str(NOT_REGISTERED_PDF))
    return {
        "ok": bool(result.ok and matches and not reasons),
        "reasons": reasons,
        "sha256": result.sha256,
        "signer_name": result.signer_name,
        "serial": result.serial,
        "signed_at": _utc(result.signed_at),
    }


def _utc(moment: datetime | None) -> str | None:
    # In the organisation's zone, with the offset stated, as on the letter's mark.
    if moment is None:
        return None
    return timefmt.stamp(moment, request_timezone())


def _answer(requisites: dict, check: dict, status: int):
    return render_template("letters_ui/verify_show.html", letter=requisites,
                           form=UploadForm(formdata=None), check=check), status
