"""Programme screens: list, create, edit, attachment, the programme page, its actions,
remarks and assessments.

Every handler parses a form and calls one domain operation in the unit of work (web/work.py),
which commits once, then redirects. A domain error rolls everything back and re-renders the
same page with the message and with what the user typed, so nothing is lost.
"""

from __future__ import annotations

from flask import (
    Blueprint,
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
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge

from workflow import campaigns, drafts, files, operations, reassignment, review
from workflow.campaign_machine import refusal
from workflow.errors import InvalidInput, StaleVersion, WorkflowError
from workflow.machine import TRANSITIONS_BY_TRIGGER
from workflow.models import Campaign, Programme, Revision, User
from workflow.states import Role

from .. import files_view as fv
from .. import route_panel, uploads
from .. import viewmodels as vm
from ..database import db, now
from ..errors import status_for
from ..forms import (
    ActionForm,
    AssessmentForm,
    AttachmentForm,
    RemarkForm,
    ReplyForm,
    programme_form_class,
)
from ..work import refused, unit_of_work

bp = Blueprint("programmes", __name__)

DONE = {
    "submit": _l("Программа направлена в министерство"),
    "withdraw": _l("Программа отозвана"),
    "start_review": _l("Программа взята на рассмотрение"),
    "return_for_revision": _l("Решение о возврате на доработку направлено по маршруту "
                              "согласования; подготовлен проект письма"),
    "resubmit": _l("Программа направлена в министерство повторно"),
    "approve": _l("Решение о согласовании направлено по маршруту согласования; подготовлен "
                  "проект письма о согласовании"),
}

REMARK_OPS = {
    "answer": (review.answer_remark, _l("Ответ на замечание сохранён")),
    "resolve": (review.resolve_remark, _l("Замечание снято")),
    "reopen": (review.reopen_remark, _l("Замечание открыто повторно")),
    "comment": (review.comment_remark, _l("Комментарий добавлен")),
}


def _me():
    return current_user.user


def _upload_limit_mb() -> int:
    return (current_app.config.get("MAX_CONTENT_LENGTH") or 0) // (1024 * 1024)


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_error):
    message = gettext("Файл слишком большой: допускается не более %(limit)s МБ. "
                      "Уменьшите файл (например, сохраните PDF со сжатием) и загрузите снова.",
                      limit=_upload_limit_mb())
    return render_template("errors/error.html", status=413, message=message), 413


# ---------------------------------------------------------------- lists


@bp.route("/")
@login_required
def index():
    listing = vm.programme_list(
        db(), _me(), now(), tab="all",
        campaign_id=request.args.get("campaign"),
        municipality_id=request.args.get("municipality"),
        state=request.args.get("state"),
        page=request.args.get("page", 1, type=int),
        page_size=current_app.config["PAGE_SIZE"],
    )
    return render_template("programmes/index.html", listing=listing, args=request.args)


# ---------------------------------------------------------------- create and edit


def _fields(form) -> operations.DraftFields:
    return operations.DraftFields(
        title=form.title.data or "",
        period_from=form.period_from.data,
        period_to=form.period_to.data,
        responsible_name=(form.responsible_name.data or "").strip(),
        responsible_position=(form.responsible_position.data or "").strip(),
        responsible_phone=(form.responsible_phone.data or "").strip(),
        outgoing_number=(form.outgoing_number.data or "").strip() or None,
        outgoing_date=form.outgoing_date.data,
    )


def _field_error(form, error: WorkflowError) -> None:
    """Attach a domain error to the field it names, when the form has that field."""
    name = getattr(error, "field", None)
    if name and name in form._fields:
        form._fields[name].errors = [*form._fields[name].errors, error.message]


def _render_form(form, campaign, programme=None, *, error=None, conflict=None, status=200):
    return render_template(
        "programmes/form.html", form=form, campaign=campaign, programme=programme,
        error=error, conflict=conflict,
        attachment_form=AttachmentForm(version=programme.version) if programme else None,
        remove_form=ActionForm(version=programme.version) if programme else None,
        files=fv.working_links(programme, _me()) if programme else [],
        upload_limit=_upload_limit_mb(),
    ), status


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    me = _me()
    if me.role != Role.MUNICIPAL_EDITOR:
        abort(403)
    campaign = db().scalar(select(Campaign).where(
        Campaign.id == (request.args.get("campaign", type=int) or 0),
        campaigns.visible_campaigns_filter(me)))
    if campaign is None:
        abort(404)
    closed = refusal("start_programme", campaign.state)
    if closed and request.method == "GET":
        flash(closed, "error")
        return redirect(url_for("main.home"))
    form_class = programme_form_class(campaign.requirements)
    form = form_class()
    if request.method == "GET":
        year = now().year
        form.version.data = "0"
        form.period_from.data, form.period_to.data = year, year + 2
        form.responsible_name.data = me.full_name
        form.responsible_position.data = me.position
        form.responsible_phone.data = me.phone
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return _render_form(form, campaign, status=status)
    try:
        with unit_of_work() as session:
            programme = operations.create_programme(
                session, campaign, me, _fields(form), now=now(), sections=form.sections()
            )
    except WorkflowError as error:
        _field_error(form, error)
        return _render_form(form, campaign, error=error.message, status=status_for(error))
    flash(gettext("Черновик программы создан"), "success")
    return redirect(url_for(".show", programme_id=programme.id))


def _fill_form(form, programme: Programme) -> None:
    for name in ("title", "period_from", "period_to", "responsible_name", "responsible_position",
                 "responsible_phone", "outgoing_number", "outgoing_date"):
        getattr(form, name).data = getattr(programme, name)
    form.version.data = str(programme.version)
    for section in programme.sections:
        field = form._fields.get(f"section_{section.requirement_id}")
        if field is not None:
            field.data = section.text


@bp.route("/<int:programme_id>/edit", methods=["GET", "POST"])
@login_required
def edit(programme_id: int):
    me = _me()
    session = db()
    programme = vm.load_programme(session, programme_id, me,
                                  for_write=request.method == "POST")
    if me.role != Role.MUNICIPAL_EDITOR:
        abort(403)
    campaign = programme.campaign
    form = programme_form_class(campaign.requirements)()
    if request.method == "GET":
        if not programme.editable:
            flash(gettext("Программу можно изменять только в состоянии «Черновик» или "
                          "«Возвращена на доработку»"), "error")
            return redirect(url_for(".show", programme_id=programme.id))
        _fill_form(form, programme)
        return _render_form(form, campaign, programme)
    if not form.validate_on_submit():
        return _render_form(form, campaign, programme, status=400)
    try:
        with unit_of_work() as session:
            operations.update_draft(
                session, programme, me, now=now(), expected_version=form.seen_version(),
                fields=_fields(form), sections=form.sections(),
            )
    except StaleVersion:
        current = vm.load_programme(session, programme_id, me)
        who, when = vm.last_change(session, current)
        saved = {s.requirement_id: s.text for s in current.sections}
        conflict = {
            "who": who, "when": when, "programme": current,
            "sections": {rid: saved.get(rid, "") for rid, text in form.sections().items()
                         if text.strip() != saved.get(rid, "").strip()},
        }
        # The user's text stays in the form; saving again now replaces the newer copy,
        # which is shown beside each differing section so nothing is overwritten blindly.
        form.version.data = str(current.version)
        message = gettext("Программа была изменена %(who)s в %(when)s, после того как "
                          "вы открыли форму. Ваш текст сохранён в форме ниже: сверьте его с "
                          "текущей версией и нажмите «Сохранить» ещё раз.",
                          who=who, when=vm.fmt_datetime(when))
        return _render_form(form, current.campaign, current, error=message, conflict=conflict,
                            status=409)
    except WorkflowError as error:
        _field_error(form, error)
        current = vm.load_programme(session, programme_id, me)
        return _render_form(form, current.campaign, current, error=error.message,
                            status=status_for(error))
    flash(gettext("Изменения сохранены"), "success")
    return redirect(url_for(".show", programme_id=programme.id))


# ---------------------------------------------------------------- files


@bp.route("/<int:programme_id>/attachment", methods=["POST"])
@login_required
def upload(programme_id: int):
    """Add one or several files to the working copy (a file of the same name is replaced
    in the working copy only: the revisions keep what they were submitted with)."""
    me = _me()
    session = db()
    programme = vm.load_programme(session, programme_id, me, for_write=True)
    form = AttachmentForm()
    back = url_for(".edit", programme_id=programme.id) if programme.editable else \
        url_for(".show", programme_id=programme.id)
    if not form.validate_on_submit():
        flash(gettext("Форма устарела: обновите страницу"), "error")
        return redirect(back)
    chosen = [f for f in request.files.getlist(form.file.name) if f and f.filename]
    checked = []
    try:
        if not chosen:
            raise uploads.UploadRejected(gettext("Выберите файл для загрузки"))
        for storage in chosen:
            try:
                checked.append(
                    uploads.check_upload(storage, current_app.config.get("MAX_CONTENT_LENGTH")))
            except uploads.UploadRejected as error:
                if len(chosen) > 1:
                    error.message = gettext("«%(name)s»: %(message)s",
                                            name=uploads.safe_name(storage.filename),
                                            message=error.message)
                raise
    except uploads.UploadRejected as error:
        flash(error.message, "error")
        return redirect(back)
    try:
        with unit_of_work() as session:
            files.add_files(
                session, programme, me,
                [files.NewFile(c.name, c.content_type, c.data) for c in checked],
                store=fv.blob_store(), now=now(), expected_version=form.seen_version(),
            )
    except WorkflowError as error:
        return refused(error, back)
    if len(checked) == 1:
        flash(gettext("Файл «%(name)s» загружен", name=checked[0].name), "success")
    else:
        flash(gettext("Файлы загружены: %(names)s",
                      names=", ".join(f"«{c.name}»" for c in checked)), "success")
    return redirect(back)


@bp.route("/<int:programme_id>/files/<int:file_id>/remove", methods=["POST"])
@login_required
def remove_file(programme_id: int, file_id: int):
    """Take a file off the working copy; revisions frozen with it keep it."""
    me = _me()
    session = db()
    programme = vm.load_programme(session, programme_id, me, for_write=True)
    form = ActionForm()
    back = url_for(".edit", programme_id=programme.id) if programme.editable else \
        url_for(".show", programme_id=programme.id)
    if not form.validate_on_submit():
        flash(gettext("Форма устарела: обновите страницу"), "error")
        return redirect(back)
    try:
        with unit_of_work() as session:
            removed = files.remove_file(session, programme, me, file_id, now=now(),
                                        expected_version=form.seen_version())
    except WorkflowError as error:
        if status_for(error) == 404:
            abort(404)
        return refused(error, back)
    flash(gettext("Файл «%(name)s» убран из рабочей копии", name=removed.name), "success")
    return redirect(back)


@bp.route("/<int:programme_id>/files/<int:file_id>", methods=["GET"])
@login_required
def download_file(programme_id: int, file_id: int):
    """A file of the working copy."""
    me = _me()
    programme = vm.load_programme(db(), programme_id, me)
    return fv.send(files.get_working_file(programme, me, file_id))


@bp.route("/<int:programme_id>/revisions/<int:number>/files/<int:revision_file_id>",
          methods=["GET"])
@login_required
def download_revision_file(programme_id: int, number: int, revision_file_id: int):
    """A file as revision `number` was submitted with it."""
    session = db()
    programme = vm.load_programme(session, programme_id, _me())
    return fv.send(files.get_revision_file(session, programme, number, revision_file_id))


@bp.route("/<int:programme_id>/attachment", methods=["GET"])
@login_required
def download(programme_id: int):
    """The first file of the copy the programme page shows (`?rev=N`, `?rev=work` or the
    default for this user): the address of the single attachment of earlier versions."""
    me = _me()
    session = db()
    programme = vm.load_programme(session, programme_id, me)
    numbers = dict(session.execute(
        select(Revision.number, Revision.id).where(Revision.programme_id == programme.id)).all())
    shown = vm.choose_revision(request.args.get("rev"), programme, me, numbers)
    rows = files.working_files(programme, me) if shown is None else \
        files.revision_files(session, programme, shown)
    if not rows:
        abort(404)
    return fv.send(rows[0])


# ---------------------------------------------------------------- the programme page


class _WhenShown:
    """A form built the first time the template touches it: the page holds five, and most
    views show one or two of them (a municipality never sees the assessment form)."""

    def __init__(self, build) -> None:
        self._build = build
        self._form = None

    def __getattr__(self, name):
        if self._form is None:
            self._form = self._build()
        return getattr(self._form, name)


def _render_show(programme: Programme, *, failed: dict | None = None, status: int = 200):
    me = _me()
    session = db()
    moment = now()
    page = vm.programme_page(session, programme, me, request.args.get("rev"), now=moment)
    # Who the user acts for today, asked once (the nav badge reads the same answer).
    acting_for = route_panel.request_principals(session, me, moment)
    actions = operations.available_actions(session, programme, me, moment,
                                           principals=acting_for)
    assigned = (me.role == Role.REVIEWER and programme.reviewer_id in acting_for
                and programme.state == "in_review")
    version = programme.version
    return render_template(
        "programmes/show.html",
        page=page, p=programme, actions=actions, failed=failed or {},
        assigned=assigned,
        substituting=assigned and programme.reviewer_id != me.id,
        reassign=_reassign_choices(session, programme, me),
        can_delete=me.role == Role.MUNICIPAL_EDITOR and drafts.may_delete(programme),
        can_edit=me.role == Role.MUNICIPAL_EDITOR and programme.editable,
        can_answer=me.role == Role.MUNICIPAL_EDITOR and programme.state == "returned",
        can_comment=me.role in (Role.MUNICIPAL_EDITOR, Role.REVIEWER),
        action_form=_WhenShown(lambda: ActionForm(version=version)),
        remark_form=_WhenShown(RemarkForm),
        reply_form=_WhenShown(ReplyForm),
        assessment_form=_WhenShown(AssessmentForm),
        attachment_form=_WhenShown(lambda: AttachmentForm(version=version)),
        upload_limit=_upload_limit_mb(),
        files=fv.page_links(session, programme, me, page.shown),
    ), status


def _reassign_choices(session, programme: Programme, me) -> list | None:
    """The reviewers this user may give the programme to, or None if they may not."""
    if not reassignment.may_reassign(me) or programme.state not in reassignment.REASSIGNABLE:
        return None
    reviewers = session.scalars(select(User).where(User.role == Role.REVIEWER,
                                                   User.active.is_(True))
                                .order_by(User.full_name))
    return [u for u in reviewers if u.id != programme.reviewer_id]


@bp.route("/<int:programme_id>")
@login_required
def show(programme_id: int):
    programme = vm.load_programme(db(), programme_id, _me())
    return _render_show(programme)


def _failed(session, programme_id: int, error: WorkflowError, key: str):
    """Re-render the programme page with the message next to the form `key`, keeping the
    text the user typed (the unit of work has rolled everything back)."""
    programme = vm.load_programme(session, programme_id, _me())
    message, status = error.message, status_for(error)
    reasons = getattr(error, "reasons", None) or []
    failed = {"key": key, "message": message, "reasons": reasons, "data": request.form}
    return _render_show(programme, failed=failed, status=status)


@bp.route("/<int:programme_id>/actions/<trigger>", methods=["POST"])
@login_required
def action(programme_id: int, trigger: str):
    if trigger not in TRANSITIONS_BY_TRIGGER:
        abort(404)
    session = db()
    programme = vm.load_programme(session, programme_id, _me(), for_write=True)
    form = ActionForm()
    return _submit(
        session, programme_id, form, f"action:{trigger}",
        lambda: operations.fire(
            session, programme, trigger, _me(), now=now(), reason=form.reason.data or "",
            expected_version=form.seen_version(),
        ),
        # The route engine's system triggers are refused by `fire` (no message needed).
        done=DONE.get(trigger, ""),
    )


def _submit(session, programme_id: int, form, key: str, operation, *, done, anchor=None):
    """A form of the programme page: validate `form`, run `operation()` in one unit of work,
    flash `done` and go back to the page (at `anchor`). A form or workflow error is shown by
    `_failed`."""
    try:
        with unit_of_work():
            check_form(form)
            operation()
    except WorkflowError as error:
        return _failed(session, programme_id, error, key)
    flash(str(done), "success")
    return redirect(url_for("programmes.show", programme_id=programme_id, _anchor=anchor))


def check_form(form) -> None:
    """A form that does not validate refuses the use case with its first message (inside
    the unit of work, so the rows locked for writing are released by its rollback)."""
    if form.validate_on_submit():
        return
    for errors in form.errors.values():
        if errors:
            raise InvalidInput(errors[0])
    raise InvalidInput(gettext("Проверьте введённые данные"))


@bp.route("/<int:programme_id>/remarks", methods=["POST"])
@login_required
def add_remark(programme_id: int):
    session = db()
    programme = vm.load_programme(session, programme_id, _me(), for_write=True)
    form = RemarkForm()
    key = f"remark:{form.requirement_id.data}"
    try:
        with unit_of_work():
            check_form(form)
            try:
                requirement_id = int(form.requirement_id.data)
            except ValueError:
                abort(400)
            review.add_remark(session, programme, _me(), requirement_id=requirement_id,
                              body=form.body.data, visibility=form.visibility.data, now=now())
    except WorkflowError as error:
        return _failed(session, programme_id, error, key)
    flash(gettext("Замечание добавлено"), "success")
    return redirect(url_for(".show", programme_id=programme.id, _anchor=f"req-{requirement_id}"))


@bp.route("/<int:programme_id>/remarks/<int:remark_id>/<op>", methods=["POST"])
@login_required
def remark_op(programme_id: int, remark_id: int, op: str):
    if op not in REMARK_OPS:
        abort(404)
    operation, done = REMARK_OPS[op]
    session = db()
    me = _me()
    programme = vm.load_programme(session, programme_id, me, for_write=True)
    remark = review.get_remark(session, programme, remark_id, me)
    form = ReplyForm()
    return _submit(
        session, programme_id, form, f"reply:{remark_id}",
        lambda: operation(session, programme, remark, me, body=form.body.data or "", now=now()),
        done=done, anchor=f"remark-{remark_id}",
    )


@bp.route("/<int:programme_id>/assessments/<int:requirement_id>", methods=["POST"])
@login_required
def assess(programme_id: int, requirement_id: int):
    session = db()
    programme = vm.load_programme(session, programme_id, _me(), for_write=True)
    form = AssessmentForm()
    return _submit(
        session, programme_id, form, f"assess:{requirement_id}",
        lambda: review.assess_requirement(
            session, programme, _me(), requirement_id=requirement_id,
            verdict=form.verdict.data, comment=form.comment.data or "", now=now(),
        ),
        done=gettext("Оценка сохранена"), anchor=f"req-{requirement_id}",
    )
