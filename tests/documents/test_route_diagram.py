"""Route and state diagrams: SVG drawn by dot, parsed back, the current position highlighted."""

from __future__ import annotations

from dataclasses import replace

import pytest
from defusedxml import EntitiesForbidden
from defusedxml.ElementTree import fromstring

from documents import route_diagram
from documents.route_diagram import (
    DiagramError,
    dot_string,
    render_svg,
    route_dot,
    route_svg,
    state_machine_svg,
)
from workflow.route_views import RouteView, StageView

NS = "{http://www.w3.org/2000/svg}"


def _demo(statuses=("done", "current", "pending")) -> RouteView:
    return RouteView(
        route_title="Демо-маршрут",
        version=2,
        stages=(
            StageView(1, "Экспертиза", "review", "all", None, 10, "municipality",
                      ("Эксперт программы",), statuses[0]),
            StageView(2, "Визы начальников отделов", "endorse", "all", None, 3, "reviewer",
                      ("Начальник отдела общего образования И.И. Иванов",
                       "Начальник отдела дополнительного образования П.П. Петров"), statuses[1]),
            StageView(3, "Подпись", "sign", "any", None, 2, "previous",
                      ("Заместитель министра",), statuses[2]),
        ),
    )


def _nodes(svg: str) -> dict[str, dict]:
    root = fromstring(svg)
    out = {}
    for g in root.iter(f"{NS}g"):
        if "node" in g.get("class", "").split():
            texts = [t.text or "" for t in g.iter(f"{NS}text")]
            shapes = [e for e in g if e.tag in (f"{NS}path", f"{NS}polygon", f"{NS}ellipse")]
            shape = shapes[0] if shapes else None
            out[g.get("id")] = {
                "class": g.get("class").split(),
                "texts": texts,
                "fill": shape.get("fill") if shape is not None else None,
                "stroke-width": shape.get("stroke-width") if shape is not None else None,
            }
    return out


def test_route_stages_left_to_right_with_current_highlighted():
    nodes = _nodes(route_svg(_demo()))
    current = [k for k, v in nodes.items() if "current" in v["class"]]
    assert current == ["route-stage-1"]
    assert nodes["route-stage-1"]["fill"] == "#fff3b0"
    assert nodes["route-stage-1"]["stroke-width"] == "3"
    assert "done" in nodes["route-stage-0"]["class"]
    assert nodes["route-stage-0"]["fill"] == "#dff0d8"
    assert "pending" in nodes["route-stage-2"]["class"]
    texts = nodes["route-stage-1"]["texts"]
    assert texts[0] == "2. Визы начальников отделов"
    assert "Визирование" in texts and "решают все" in texts and "[текущий этап]" in texts
    # Left to right: each stage's text starts further right than the previous one's.
    root = fromstring(route_svg(_demo()))
    xs = {}
    for g in root.iter(f"{NS}g"):
        if g.get("id", "").startswith("route-stage-"):
            xs[g.get("id")] = float(next(g.iter(f"{NS}text")).get("x"))
    assert xs["route-stage-0"] < xs["route-stage-1"] < xs["route-stage-2"]


def test_refused_stage_and_municipality_return():
    svg = route_svg(_demo(("done", "refused", "pending")))
    nodes = _nodes(svg)
    assert "refused" in nodes["route-stage-1"]["class"]
    assert nodes["route-stage-1"]["fill"] == "#f2dede"
    assert "route-municipality" in nodes  # stage 1 refuses to the municipality
    ids = {g.get("id") for g in fromstring(svg).iter(f"{NS}g")}
    assert {"route-refusal-0", "route-refusal-1", "route-refusal-2", "route-next-1"} <= ids


def test_quorum_label():
    view = _demo()
    stage = replace(view.stages[1], mode="quorum", quorum=2,
                    participants=("А. Аа", "Б. Бб", "В. Вв"))
    svg = route_svg(replace(view, stages=(view.stages[0], stage, view.stages[2])))
    assert "кворум: 2 из 3" in _nodes(svg)["route-stage-1"]["texts"]


@pytest.mark.parametrize("evil", [
    'x"]; evil [label="pwn',
    "a\\N\\G\\E back\\",
    "<script>alert(1)</script>",
    "line\nbreak\x00nul",
    "}; digraph x {",
])
def test_user_text_is_literal_in_dot_and_svg(evil):
    view = _demo()
    stage = replace(view.stages[1], name=evil, participants=(evil,))
    svg = route_svg(replace(view, stages=(view.stages[0], stage, view.stages[2])))
    nodes = _nodes(svg)
    assert len(nodes) == 3 + 1  # the three stages and the municipality, no injected node
    shown = "".join(nodes["route-stage-1"]["texts"])
    expected = route_diagram._CONTROL.sub(" ", evil)
    assert expected in shown
    assert "<script" not in svg


def test_dot_string_escapes_quotes_and_backslashes():
    assert dot_string('a"b\\c') == '"a\\"b\\\\c"'


def test_sanitiser_drops_scripts_handlers_and_links():
    raw = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        b'<script>alert(1)</script><g onclick="x()" id="a"><a xlink:href="javascript:x">'
        b'<text>t</text></a><foreignObject><div/></foreignObject><text>ok</text></g></svg>'
    )
    svg = route_diagram.sanitise_svg(raw)
    assert "script" not in svg and "onclick" not in svg and "javascript" not in svg
    assert "foreignObject" not in svg
    assert ">ok<" in svg


def test_sanitiser_refuses_entities():
    with pytest.raises(EntitiesForbidden):  # no entity expansion (billion laughs)
        route_diagram.sanitise_svg(
            b'<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>'
        )


def test_state_machine_highlights_current_state():
    nodes = _nodes(state_machine_svg("in_review"))
    current = [k for k, v in nodes.items() if "current" in v["class"]]
    assert current == ["states-in_review"]
    assert nodes["states-in_review"]["texts"] == ["На рассмотрении"]
    assert nodes["states-in_review"]["fill"] == "#fff3b0"
    assert "current" not in nodes["states-draft"]["class"]


def test_two_diagrams_on_a_page_have_distinct_ids():
    a = {g.get("id") for g in fromstring(route_svg(_demo(), graph_id="v1")).iter(f"{NS}g")}
    b = {g.get("id") for g in fromstring(route_svg(_demo(), graph_id="v2")).iter(f"{NS}g")}
    assert a and b and not (a & b)


def test_graph_id_is_checked():
    with pytest.raises(ValueError):
        route_dot(_demo(), graph_id='x" onload="')


def test_cached_by_content(monkeypatch):
    view = replace(_demo(), route_title="кэш")
    first = route_svg(view, graph_id="cache-test")
    monkeypatch.setattr(route_diagram.subprocess, "run", lambda *a, **k: pytest.fail("dot re-run"))
    assert route_svg(view, graph_id="cache-test") == first


def test_dot_failure_is_a_diagram_error(monkeypatch):
    monkeypatch.setattr(route_diagram, "DOT_TIMEOUT_SECONDS", 10)
    with pytest.raises(DiagramError):
        render_svg("digraph { this is not dot")


def test_svg_keeps_its_default_namespace_whatever_else_registered_one():
    """ElementTree's prefix registry is process-wide: a library registering its own default
    namespace (WeasyPrint's PDF/A metadata does, when a PDF is rendered in the same worker)
    made every tag "ns0:svg", which browsers do not draw."""
    import xml.etree.ElementTree as ET

    ET.register_namespace("", "adobe:ns:meta/")
    try:
        svg = state_machine_svg("draft", graph_id="states-ns")
    finally:
        ET.register_namespace("", route_diagram.SVG_NS)
    assert svg.startswith("<svg ") and "ns0:" not in svg


def test_fixed_words_and_workflow_labels_go_through_translate():
    """A screen passes its language's `translate`: every fixed word, the participants and the
    states come out through it, with their values put in; stage names (data) stay as typed."""
    asked = []

    def shout(message, **params):
        asked.append(message)
        return (message % params if params else message).upper()

    view = _demo(("done", "refused", "pending"))
    stage = replace(view.stages[1], mode="quorum", quorum=2,
                    participants=("А. Аа", "Б. Бб", "В. Вв", "Г. Гг", "Д. Дд"))
    nodes = _nodes(route_svg(replace(view, stages=(view.stages[0], stage, view.stages[2])),
                             translate=shout))
    texts = nodes["route-stage-1"]["texts"]
    assert texts[0] == "2. Визы начальников отделов"  # the stage's name, as typed
    for line in ("ВИЗИРОВАНИЕ", "КВОРУМ: 2 ИЗ 5", "И ЕЩЁ 1", "СРОК: 3 РАБ. ДН.", "[ОТКАЗ]", "А. АА"):
        assert line in texts, line
    assert "ЭКСПЕРТ ПРОГРАММЫ" in nodes["route-stage-0"]["texts"]
    assert nodes["route-municipality"]["texts"] == ["МУНИЦИПАЛИТЕТ", "(ВОЗВРАТ НА ДОРАБОТКУ)"]
    assert "кворум: %(quorum)s из %(total)s" in asked and "срок: %(days)s раб. дн." in asked
    states = fromstring(state_machine_svg("draft", translate=shout))
    words = {t.text for t in states.iter(f"{NS}text")}
    assert "ЧЕРНОВИК" in words and "СОГЛАСОВАТЬ" in words and "Черновик" not in words
