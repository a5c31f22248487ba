"""Administration of approval routes: list, create, show (versions with diagrams), edit.

An edit never changes a version: it saves a new one, and programmes already on their way
keep the version they started with. Validation is the engine's; its Russian reasons are shown
above the form, with everything the administrator typed kept.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from markupsafe import Markup
from sqlalchemy import select

from documents.route_diagram import DiagramError, route_svg
from workflow import routes as engine
from workflow.errors import WorkflowError
from workflow.i18n import N_
from workflow.models import Campaign, User
from workflow.models.route import Route, RouteVersion
from workflow.routes import StageSpec, create_route, edit_route
from workflow.states import (
    REFUSAL_TARGET_LABELS,
    ROLE_LABELS,
    ROUTE_STAGE_KIND_LABELS,
    STAGE_MODE_LABELS,
    ParticipantType,
    Role,
)

from ..database import db, now
from ..guards import me, only_for
from ..i18n_labels import translate
from ..work import unit_of_work

bp = Blueprint("routes_admin", __name__)

PARTICIPANT_LABELS = {
    ParticipantType.ROLE: N_("Роль"),
    ParticipantType.USERS: N_("Названные пользователи"),
    ParticipantType.PROGRAMME_REVIEWER: N_("Эксперт программы"),
}
FIELDS = ("name", "kind", "participant_type", "role", "mode", "quorum", "limit_days",
          "on_refusal")
SPARE_ROWS = 2
MAX_ROWS = 20


bp.before_request(only_for(lambda user: user.role == Role.ADMIN))


def _load(route_id: int) -> Route:
    route = db().get(Route, route_id)
    if route is None:
        abort(404)
    return route


def _campaigns(route: Route) -> list[str]:
    return list(db().scalars(select(Campaign.title).where(Campaign.route_id == route.id)))


@bp.route("/")
def index():
    session = db()
    rows = []
    for route in session.scalars(select(Route).order_by(Route.title)):
        latest = route.versions[-1] if route.versions else None
        rows.append({
            "id": route.id, "title": route.title, "version": latest.number if latest else "—",
            "stages": [s.name for s in latest.stages] if latest else [],
            "campaigns": _campaigns(route),
        })
    return render_template("routes/admin_list.html", routes=rows)


def _version_svg(view, graph_id: str):
    try:
        # Escaped labels, sanitised SVG.
        return Markup(route_svg(view, graph_id=graph_id, translate=translate))
    except DiagramError:
        return None


@bp.route("/<int:route_id>")
def show(route_id: int):
    route = _load(route_id)
    session = db()
    users = {u.id: u.full_name for u in session.scalars(
        select(User).where(User.id.in_({v.created_by_id for v in route.versions if v.created_by_id})))}
    versions = []
    for version in reversed(route.versions):
        view = engine.definition_view(session, version)
        versions.append({
            "number": version.number, "created_at": version.created_at,
            "created_by": users.get(version.created_by_id), "view": view,
            "svg": _version_svg(view, f"route-v{version.id}"),
        })
    all_campaigns = [(c.id, c.title) for c in session.scalars(
        select(Campaign).where((Campaign.route_id != route.id) | Campaign.route_id.is_(None))
        .order_by(Campaign.title))]
    return render_template(
        "routes/admin_show.html", route=route, versions=versions, campaigns=_campaigns(route),
        other_campaigns=all_campaigns,
        kind_labels=ROUTE_STAGE_KIND_LABELS, mode_labels=STAGE_MODE_LABELS,
        refusal_labels=REFUSAL_TARGET_LABELS)


# ---------------------------------------------------------------- the stage rows form


def _blank() -> dict:
    return {"name": "", "kind": "endorse", "participant_type": "users", "role": "", "users": [],
            "mode": "all", "quorum": "", "limit_days": 3, "on_refusal": "reviewer"}


def _rows_of(version: RouteVersion | None) -> list[dict]:
    rows = []
    for s in version.stages if version else []:
        rows.append({
            "name": s.name, "kind": s.kind, "participant_type": s.participant_type,
            "role": s.participant_role or "", "users": [str(i) for i in s.user_ids],
            "mode": s.mode, "quorum": s.quorum or "", "limit_days": s.limit_days,
            "on_refusal": s.on_refusal,
        })
    return rows + [_blank() for _ in range(SPARE_ROWS)]


def _rows_from_form(form) -> list[dict]:
    rows = []
    for i in range(MAX_ROWS):
        if f"stage-{i}-name" not in form:
            break
        row = {f: form.get(f"stage-{i}-{f}", "").strip() for f in FIELDS}
        row["users"] = form.getlist(f"stage-{i}-users")
        rows.append(row)
    return rows


def _int(value, label: str, errors: list[str], position: int) -> int | None:
    if value in ("", None):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        errors.append(gettext("Этап %(n)s: «%(field)s» — нужно целое число", n=position,
                              field=label))
        return None


def stages_from_rows(rows: list[dict]) -> tuple[list[StageSpec], list[str]]:
    """The filled rows as the engine's stage specs, and the form's own errors (numbers that
    are not numbers); everything else is the engine's validation (`validate_route`)."""
    stages, errors = [], []
    for row in rows:
        if not row["name"]:
            continue
        position = len(stages) + 1
        users = []
        for value in row["users"]:
            number = _int(value, gettext("Пользователи"), errors, position)
            if number is not None:
                users.append(number)
        limit = _int(row["limit_days"], gettext("Срок"), errors, position)
        stages.append(StageSpec(
            name=row["name"], kind=row["kind"], participant_type=row["participant_type"],
            role=row["role"] or None, user_ids=users, mode=row["mode"],
            quorum=_int(row["quorum"], gettext("Кворум"), errors, position),
            limit_days=limit if limit is not None else 0, on_refusal=row["on_refusal"],
        ))
    return stages, errors


def _user_choices() -> list[tuple[str, str]]:
    rows = db().scalars(
        select(User).where(User.active.is_(True), User.role != Role.MUNICIPAL_EDITOR)
        .order_by(User.full_name))
    return [(str(u.id), f"{u.full_name}" + (f" — {u.position}" if u.position else ""))
            for u in rows]


def _form(route: Route | None, title: str, rows: list[dict], errors=(), status: int = 200,
          code: str = ""):
    return render_template(
        "routes/admin_form.html", route=route, title=title, code=code, rows=rows,
        errors=list(errors),
        kind_choices=list(ROUTE_STAGE_KIND_LABELS.items()),
        participant_choices=list(PARTICIPANT_LABELS.items()),
        role_choices=[(r.value, ROLE_LABELS[r]) for r in Role if r != Role.MUNICIPAL_EDITOR],
        user_choices=_user_choices(),
        mode_choices=list(STAGE_MODE_LABELS.items()),
        refusal_choices=list(REFUSAL_TARGET_LABELS.items()),
    ), status


def _save(route: Route | None):
    title = request.form.get("title", "").strip()
    code = request.form.get("code", "").strip()
    rows = _rows_from_form(request.form)
    stages, errors = stages_from_rows(rows)
    if errors:
        return _form(route, title, rows, errors, 400, code)
    try:
        with unit_of_work() as session:
            if route is None:
                saved = create_route(session, me(), code=code, title=title, stages=stages,
                                     now=now())
            else:
                saved = edit_route(session, route, me(), title=title, stages=stages, now=now())
            route_id = saved.route_id if isinstance(saved, RouteVersion) else saved.id
    except WorkflowError as error:
        reasons = getattr(error, "reasons", None) or [error.message]
        return _form(route, title, rows, reasons, 400, code)
    flash(gettext("Маршрут сохранён") if route is None
          else gettext("Сохранена новая версия маршрута"), "success")
    return redirect(url_for("routes_admin.show", route_id=route_id))


@bp.route("/new", methods=["GET", "POST"])
def new():
    if request.method == "POST":
        return _save(None)
    return _form(None, "", _rows_of(None))


@bp.route("/<int:route_id>/edit", methods=["GET", "POST"])
def edit(route_id: int):
    route = _load(route_id)
    if request.method == "POST":
        return _save(route)
    return _form(route, route.title, _rows_of(route.versions[-1] if route.versions else None))


@bp.route("/<int:route_id>/campaign", methods=["POST"])
def assign_campaign(route_id: int):
    """The campaign's programmes take this route from now on; those already on their way keep
    the version they started with."""
    route = _load(route_id)
    campaign = db().get(Campaign, request.form.get("campaign_id", type=int) or 0)
    if campaign is None:
        flash(gettext("Выберите кампанию"), "error")
        return redirect(url_for("routes_admin.show", route_id=route.id))
    try:
        with unit_of_work() as session:
            engine.set_campaign_route(session, campaign, route, me())
    except WorkflowError as error:
        flash(error.message, "error")
        return redirect(url_for("routes_admin.show", route_id=route.id))
    flash(gettext("Кампания «%(title)s» идёт по этому маршруту", title=campaign.title), "success")
    return redirect(url_for("routes_admin.show", route_id=route.id))
