"""Route and state-machine diagrams as inline SVG, drawn by Graphviz (`dot`) on the server.

Nothing from users reaches DOT unescaped: every label is a quoted DOT string built by
:func:`dot_string` (backslashes, quotes and control characters neutralised, so neither a `"`
nor Graphviz's `\\N`/`\\G` escapes can break out), and node ids are generated here. `dot` runs
as a subprocess with a timeout; its SVG is parsed with defusedxml and re-serialised with only
drawing elements and attributes (no scripts, no event handlers, no external references), so
it can be embedded in a page as is. Rendered SVGs are cached by the hash of their DOT source.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import textwrap
import threading
import xml.etree.ElementTree as ET
from collections import OrderedDict
from collections.abc import Callable

from defusedxml.ElementTree import fromstring

from workflow.i18n import N_
from workflow.route_views import RouteView, StageView

DOT_TIMEOUT_SECONDS = 10
_CACHE_LIMIT = 256

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
_REGISTRY_LOCK = threading.Lock()

# A diagram is part of a screen, so its fixed words are in the screen's language: each is
# marked with `N_` for the catalogue (babel.cfg extracts this file), and the screens pass
# their `translate`. The labels that come from `workflow` (states, actions, participants)
# go through the same function; stage names are data and are shown as typed.
Translate = Callable[..., str]


def as_is(message: str, **params) -> str:
    """Russian, the language every message is written in."""
    return message % params if params else message


KIND_LABELS = {"review": N_("Экспертиза"), "endorse": N_("Визирование"),
               "sign": N_("Подписание")}
STATUS_LABELS = {
    "done": N_("пройден"),
    "current": N_("текущий этап"),
    "refused": N_("отказ"),
    "skipped": N_("пропущен"),
    "pending": "",
}
# Fill, border colour, border width, border style per stage status.
_STAGE_STYLE = {
    "done": ("#dff0d8", "#3c763d", "1.2", "rounded,filled"),
    "current": ("#fff3b0", "#b35900", "3", "rounded,filled,bold"),
    "refused": ("#f2dede", "#a94442", "1.5", "rounded,filled,dashed"),
    "skipped": ("#f5f5f5", "#999999", "1", "rounded,filled,dotted"),
    "pending": ("#ffffff", "#555555", "1", "rounded,filled"),
}
_FONT = "Liberation Sans"
_MAX_PARTICIPANTS_SHOWN = 4
_WRAP = 34  # characters a line inside a stage node
_MAX_LINE = 64


class DiagramError(RuntimeError):
    """`dot` failed or took too long; screens show the route as a list instead."""


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def dot_string(text: str) -> str:
    """`text` as a quoted DOT string whose content is shown literally."""
    text = _CONTROL.sub(" ", str(text))
    if len(text) > _MAX_LINE:
        text = text[: _MAX_LINE - 1] + "…"
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _label(lines: list[str]) -> str:
    """Several literal lines as one DOT label (each line escaped on its own, joined by \\n)."""
    return "\\n".join(dot_string(line)[1:-1] for line in lines if line)


def _mode_label(stage: StageView, t: Translate) -> str:
    if len(stage.participants) <= 1:
        return ""
    if stage.mode == "all":
        return t(N_("решают все"))
    if stage.mode == "any":
        return t(N_("достаточно одного"))
    return t(N_("кворум: %(quorum)s из %(total)s"), quorum=stage.quorum,
             total=len(stage.participants))


def _wrapped(text: str) -> list[str]:
    # Long names wrapped into a narrow node: a wide graph is scaled down to the page's width
    # until its text cannot be read.
    return textwrap.wrap(text, _WRAP, break_long_words=False) or [text]


def _stage_lines(stage: StageView, t: Translate) -> list[str]:
    lines = _wrapped(f"{stage.position}. {stage.name}")
    kind = KIND_LABELS.get(stage.kind, stage.kind)
    if kind.casefold() != stage.name.casefold():  # not «Экспертиза» twice
        lines.append(t(kind))
    shown = stage.participants[:_MAX_PARTICIPANTS_SHOWN]
    for participant in shown:
        lines += _wrapped(t(participant))
    if len(stage.participants) > len(shown):
        lines.append(t(N_("и ещё %(count)s"), count=len(stage.participants) - len(shown)))
    lines.append(_mode_label(stage, t))
    lines.append(t(N_("срок: %(days)s раб. дн."), days=stage.limit_days))
    status = STATUS_LABELS.get(stage.status, "")
    if status:
        lines.append(f"[{t(status)}]")
    return lines


_GRAPH_ID = re.compile(r"[a-z][a-z0-9-]{0,40}")


def _check_graph_id(graph_id: str) -> None:
    # Prefixes every id in the SVG (several diagrams share a page); chosen by code, checked.
    if not _GRAPH_ID.fullmatch(graph_id):
        raise ValueError(f"bad graph id {graph_id!r}")


def route_dot(view: RouteView, *, graph_id: str = "route", translate: Translate = as_is) -> str:
    """DOT source of a route: stages left to right, refusals as dashed edges back."""
    _check_graph_id(graph_id)
    out = [
        "digraph route {",
        f"  id={dot_string(graph_id)}; rankdir=LR; nodesep=0.4; ranksep=0.5;",
        f'  node [shape=box fontname="{_FONT}" fontsize=10 margin="0.15,0.08"];',
        f'  edge [fontname="{_FONT}" fontsize=9];',
    ]
    stages = sorted(view.stages, key=lambda s: s.position)
    for index, stage in enumerate(stages):
        fill, colour, width, style = _STAGE_STYLE.get(stage.status, _STAGE_STYLE["pending"])
        out.append(
            f'  s{index} [id="{graph_id}-stage-{index}" class={dot_string("stage " + stage.status)} '
            f'label="{_label(_stage_lines(stage, translate))}" style="{style}" fillcolor="{fill}" '
            f'color="{colour}" penwidth={width}];'
        )
    for index in range(1, len(stages)):
        out.append(f'  s{index - 1} -> s{index} [id="{graph_id}-next-{index}"];')
    refusal = dot_string(translate(N_("отказ")))
    municipality = [translate(N_("Муниципалитет")), translate(N_("(возврат на доработку)"))]
    reviewer = next((i for i, s in enumerate(stages) if s.kind == "review"), None)
    needs_municipality = False
    for index, stage in enumerate(stages):
        target = None
        if stage.on_refusal == "previous" and index > 0:
            target = f"s{index - 1}"
        elif stage.on_refusal == "reviewer" and reviewer is not None and reviewer != index:
            target = f"s{reviewer}"
        elif stage.on_refusal == "municipality":
            target, needs_municipality = "municipality", True
        if target:
            out.append(
                f'  s{index} -> {target} [id="{graph_id}-refusal-{index}" style=dashed color="#a94442" '
                f'fontcolor="#a94442" constraint=false label={refusal}];'
            )
    if needs_municipality:
        out.append(
            f'  municipality [id="{graph_id}-municipality" class="municipality" shape=ellipse '
            f'label="{_label(municipality)}" color="#777777"];'
        )
    out.append("}")
    return "\n".join(out)


def state_machine_dot(current: str | None, *, graph_id: str = "states",
                      translate: Translate = as_is) -> str:
    """DOT source of the programme state table (workflow.machine), `current` highlighted."""
    from workflow.machine import PROGRAMME_TRANSITIONS
    from workflow.states import PROGRAMME_STATE_LABELS, ProgrammeState

    _check_graph_id(graph_id)
    current = getattr(current, "value", current)
    out = [
        "digraph states {",
        f"  id={dot_string(graph_id)}; rankdir=LR; nodesep=0.35; ranksep=0.45;",
        f'  node [shape=box style="rounded,filled" fillcolor="#ffffff" fontname="{_FONT}" fontsize=10];',
        f'  edge [fontname="{_FONT}" fontsize=8 color="#555555"];',
    ]
    for state in ProgrammeState:
        label = translate(PROGRAMME_STATE_LABELS.get(state, state.value))
        if state.value == current:
            out.append(
                f'  "{state.value}" [id="{graph_id}-{state.value}" class="state current" '
                f'label={dot_string(label)} fillcolor="#fff3b0" color="#b35900" penwidth=3];'
            )
        else:
            out.append(
                f'  "{state.value}" [id="{graph_id}-{state.value}" class="state" label={dot_string(label)}];'
            )
    for number, spec in enumerate(PROGRAMME_TRANSITIONS):
        for source in spec.sources:
            out.append(
                f'  "{source.value}" -> "{spec.dest.value}" '
                f'[id="{graph_id}-t{number}-{source.value}" label={dot_string(translate(spec.label))}];'
            )
    out.append("}")
    return "\n".join(out)


# ---- running dot and cleaning its output ------------------------------------------------

_ALLOWED_TAGS = {
    "svg", "g", "polygon", "polyline", "ellipse", "circle", "path", "text", "tspan",
    "line", "rect", "defs",
}
_ALLOWED_ATTRS = {
    "width", "height", "viewBox", "id", "class", "transform", "fill", "stroke", "stroke-width",
    "stroke-dasharray", "points", "cx", "cy", "rx", "ry", "r", "d", "x", "y", "x1", "y1", "x2",
    "y2", "text-anchor", "font-family", "font-size", "font-weight", "font-style",
    "fill-opacity", "stroke-opacity",
}


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def sanitise_svg(raw: bytes) -> str:
    """Graphviz's SVG with only drawing elements and plain attributes, as a string to inline."""
    root = fromstring(raw)
    if _local(root.tag) != "svg":
        raise DiagramError("dot produced no SVG")

    def clean(element) -> None:
        for child in list(element):
            if not isinstance(child.tag, str) or _local(child.tag) not in _ALLOWED_TAGS:
                element.remove(child)
                continue
            clean(child)
        for name in list(element.attrib):
            if "}" in name or name not in _ALLOWED_ATTRS:
                del element.attrib[name]

    clean(root)
    root.set("role", "img")
    # ElementTree's prefix registry is process-wide: another import registering its own
    # default namespace turned every tag into "ns0:svg", and browsers drew nothing. So the
    # SVG namespace is made the default again right before writing.
    with _REGISTRY_LOCK:
        ET.register_namespace("", SVG_NS)
        ET.register_namespace("xlink", XLINK_NS)
        return ET.tostring(root, encoding="unicode")


_cache: OrderedDict[str, str] = OrderedDict()
_cache_lock = threading.Lock()


def render_svg(dot_source: str) -> str:
    """The sanitised SVG for `dot_source`, from the cache when the same source was drawn."""
    key = hashlib.sha256(dot_source.encode("utf-8")).hexdigest()
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    try:
        done = subprocess.run(
            ["dot", "-Tsvg"],
            input=dot_source.encode("utf-8"),
            capture_output=True,
            timeout=DOT_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise DiagramError(f"dot failed: {exc}") from exc
    if done.returncode != 0:
        raise DiagramError(f"dot failed: {done.stderr.decode('utf-8', 'replace')[:300]}")
    svg = sanitise_svg(done.stdout)
    with _cache_lock:
        _cache[key] = svg
        while len(_cache) > _CACHE_LIMIT:
            _cache.popitem(last=False)
    return svg


def route_svg(view: RouteView, *, graph_id: str = "route", translate: Translate = as_is) -> str:
    return render_svg(route_dot(view, graph_id=graph_id, translate=translate))


def state_machine_svg(current: str | None, *, graph_id: str = "states",
                      translate: Translate = as_is) -> str:
    return render_svg(state_machine_dot(current, graph_id=graph_id, translate=translate))
