"""Templates compiled per language with their fixed strings translated (web/localised_templates.py):
the same output as translating at render time, in either language, with what a user typed
still escaped, and no translation call left for a fixed string."""

from __future__ import annotations

import pytest
from flask import render_template
from jinja2 import ChoiceLoader, DictLoader, pass_context

from tests.web.conftest import sign_in

TEMPLATES = {
    "t_fixed.html": (
        "{{ _('Действия') }}|{{ _('срок %(date)s', date=value) }}|{{ _('100%% готово') }}"
        "|{% trans %}Причина:{% endtrans %}|{% trans date=value %}срок {{ date }}{% endtrans %}"
        "|{{ _(dynamic) }}|{% set x = _('Действия') %}{{ x }}"),
    "t_rebinds.html": "{% set _ = shout %}{{ _('Действия') }}",
    "t_macro.html": "{% macro _(s) %}[{{ s }}]{% endmacro %}{{ _('Действия') }}",
}


@pytest.fixture
def localised(own_app, world):
    app = own_app()
    app.jinja_env.loader = ChoiceLoader([DictLoader(TEMPLATES), app.jinja_env.loader])
    runtime = app.jinja_env.globals["gettext"]
    calls: list[str] = []

    @pass_context
    def counting(context, string, **variables):
        calls.append(string)
        return runtime(context, string, **variables)

    app.jinja_env.globals["gettext"] = counting

    @app.route("/__t/<name>")
    def _render(name):
        return render_template(name, value="<b>1</b>", dynamic="Действия",
                               shout=lambda s: s.upper())

    return app, calls


def _page(client, name: str) -> str:
    response = client.get(f"/__t/{name}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _switch(client, code: str) -> None:
    assert client.post(f"/lang/{code}", data={"next": "/"}).status_code == 302


def test_fixed_strings_in_both_languages_without_translating_per_request(localised):
    app, calls = localised
    client = app.test_client()
    sign_in(client, "reviewer")
    russian = ("Действия|срок &lt;b&gt;1&lt;/b&gt;|100% готово|Причина:|срок &lt;b&gt;1&lt;/b&gt;"
               "|Действия|Действия")
    assert _page(client, "t_fixed.html") == russian
    _switch(client, "en")
    calls.clear()
    assert _page(client, "t_fixed.html") == (
        "Actions|deadline &lt;b&gt;1&lt;/b&gt;|100% готово|Reason:|deadline &lt;b&gt;1&lt;/b&gt;"
        "|Actions|Actions")
    # Only `_(dynamic)` is translated at render time; every fixed string was compiled in.
    assert calls == ["Действия"]
    _switch(client, "ru")
    assert _page(client, "t_fixed.html") == russian


def test_a_template_that_binds_gettext_itself_is_left_alone(localised):
    app, calls = localised
    client = app.test_client()
    sign_in(client, "reviewer")
    _switch(client, "en")
    assert _page(client, "t_rebinds.html") == "ДЕЙСТВИЯ"
    assert _page(client, "t_macro.html") == "[Действия]"

