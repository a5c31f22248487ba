"""A signatory's signing certificates, on the user's page: an uploaded PKCS#12, one issued by
the demo CA while the demo PKI is in use, and revocation."""

from __future__ import annotations

import secrets

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext

from documents.issue import demo_pki_active, issue_demo_certificate, trust_roots
from documents.signing import SignerError
from workflow import signatory_certificates, signing_pkcs12
from workflow.errors import WorkflowError
from workflow.models import SignerCertificate
from workflow.organisation_profile import required_profile

from ...database import db, now
from ...errors import status_for
from ...forms import CertificateUploadForm, DemoCertificateForm, SimplePostForm
from ...guards import me
from ...work import unit_of_work
from .common import bp, field_error
from .users import render_user, user_or_404

MAX_PKCS12_UPLOAD = 256 * 1024


@bp.route("/users/<int:user_id>/certificates", methods=["POST"])
def certificate_upload(user_id: int):
    """Add a signatory's own PKCS#12; the PIN proves it opens and is then forgotten."""
    request.max_content_length = MAX_PKCS12_UPLOAD
    user = user_or_404(user_id)
    form = CertificateUploadForm()
    if not form.validate_on_submit():
        return render_user(user, upload_form=form, status=400)
    upload = form.pkcs12.data
    data = upload.read(signing_pkcs12.MAX_PKCS12 + 1) if getattr(upload, "filename", "") else b""
    try:
        with unit_of_work() as session:
            cert = signatory_certificates.add_certificate(
                session, user, me(), pkcs12_bytes=data, pin=form.pin.data, now=now(),
                source="upload", trust_roots=trust_roots(current_app),
                address=request.remote_addr or "")
    except WorkflowError as error:
        field_error(form, error)
        return render_user(user_or_404(user_id), upload_form=form, error=error.message,
                            status=status_for(error))
    flash(gettext("Сертификат № %(serial)s (владелец %(owner)s) добавлен; подписанты "
                  "уведомлены", serial=cert.serial, owner=cert.owner_name), "success")
    return redirect(url_for(".user_edit", user_id=user_id))


@bp.route("/users/<int:user_id>/certificates/demo", methods=["POST"])
def certificate_demo(user_id: int):
    """While the demo PKI is in use: issue the user a certificate from the demo CA, with a
    PIN chosen now and shown once (on this response only; it is not stored)."""
    if not demo_pki_active(current_app.config):
        abort(404)
    user = user_or_404(user_id)
    form = DemoCertificateForm()
    if not form.validate_on_submit():
        return render_user(user, demo_form=form, status=400)
    pin = form.pin.data or "".join(secrets.choice("0123456789") for _ in range(8))
    try:
        with unit_of_work() as session:
            data = issue_demo_certificate(current_app.config, owner_name=user.full_name,
                                          organisation=required_profile(session).name, pin=pin)
            cert = signatory_certificates.add_certificate(
                session, user, me(), pkcs12_bytes=data, pin=pin, now=now(), source="demo",
                trust_roots=trust_roots(current_app), address=request.remote_addr or "")
    except WorkflowError as error:
        return render_user(user_or_404(user_id), demo_form=form, error=error.message,
                            status=status_for(error))
    except (SignerError, ValueError) as error:
        return render_user(user_or_404(user_id), demo_form=form, status=400,
                            error=gettext("Сертификат не выпущен: %(reason)s", reason=str(error)))
    page, _status = render_user(user_or_404(user_id),
                                 issued_pin={"pin": pin, "serial": cert.serial})
    return page, 200, {"Cache-Control": "no-store"}


@bp.route("/users/<int:user_id>/certificates/<int:certificate_id>/revoke", methods=["POST"])
def certificate_revoke(user_id: int, certificate_id: int):
    session = db()
    cert = session.get(SignerCertificate, certificate_id)
    if cert is None or cert.user_id != user_id:
        abort(404)
    if not SimplePostForm().validate_on_submit():
        abort(400)
    with unit_of_work() as session:
        signatory_certificates.revoke_certificate(session, cert, me(), now=now(),
                                                  address=request.remote_addr or "")
    flash(gettext("Сертификат № %(serial)s отозван", serial=cert.serial), "success")
    return redirect(url_for(".user_edit", user_id=user_id))
