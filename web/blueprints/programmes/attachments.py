"""The files of the working copy and of the revisions: upload, removal, download."""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    request,
    url_for,
)
from flask_babel import gettext
from flask_login import login_required
from sqlalchemy import select

from workflow import files
from workflow.errors import WorkflowError
from workflow.models import Revision

from ... import files_view as fv
from ... import uploads
from ... import viewmodels as vm
from ...database import db, now
from ...errors import status_for
from ...forms import (
    ActionForm,
    AttachmentForm,
)
from ...work import refused, unit_of_work
from .common import _me, bp


def _file_change(programme_id: int, form_class):
    """What a change to the working copy's files starts with: the programme loaded for
    writing, the posted form, the page to go back to (the editor while the programme is
    editable, else its page) and, when the form is stale, the redirect that refuses it."""
    me = _me()
    programme = vm.load_programme(db(), programme_id, me, for_write=True)
    form = form_class()
    back = url_for(".edit", programme_id=programme.id) if programme.editable else \
        url_for(".show", programme_id=programme.id)
    stale = None
    if not form.validate_on_submit():
        flash(gettext("Форма устарела: обновите страницу"), "error")
        stale = redirect(back)
    return me, programme, form, back, stale


@bp.route("/<int:programme_id>/attachment", methods=["POST"])
@login_required
def upload(programme_id: int):
    """Add one or several files to the working copy (a file of the same name is replaced
    in the working copy only: the revisions keep what they were submitted with)."""
    me, programme, form, back, stale = _file_change(programme_id, AttachmentForm)
    if stale is not None:
        return stale
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
    me, programme, form, back, stale = _file_change(programme_id, ActionForm)
    if stale is not None:
        return stale
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
