"""How the letters screens are built: what a reader of the code relies on."""

from __future__ import annotations

import ast
import inspect
import pkgutil
from pathlib import Path

import web
from web import forms
from web.blueprints import letters, main

WEB = Path(web.__file__).parent


def _modules(package) -> list[Path]:
    root = Path(package.__path__[0])
    return [root / f"{m.name}.py" for m in pkgutil.iter_modules(package.__path__)]


def _calls(path: Path, attribute: str) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == attribute]


def test_no_letters_handler_commits_by_hand():
    # Each writes in one unit of work (web.screen_work), committed once or rolled back.
    for path in _modules(letters):
        assert _calls(path, "commit") == [], path.name


def test_there_is_one_action_form_and_one_versioned_base():
    defined = {}
    for path in WEB.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                defined.setdefault(node.name, []).append(path.relative_to(WEB).as_posix())
    assert defined["ActionForm"] == ["forms.py"]
    assert defined["VersionedForm"] == ["forms.py"]
    # Every form that carries a version gets it from the one base.
    for name, cls in inspect.getmembers(forms, inspect.isclass):
        if issubclass(cls, forms.SafeForm) and hasattr(cls, "version"):
            assert issubclass(cls, forms.VersionedForm), name


def test_the_home_blueprint_holds_the_home_page_only(app):
    rules = [rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("main.")]
    assert rules == ["main.home"]
    assert not _calls(Path(main.__file__), "app_template_filter")
    assert not _calls(Path(main.__file__), "app_context_processor")
    # The filters come from web.formatting.
    assert {"dt", "d", "tr"} <= set(app.jinja_env.filters)


def test_every_letters_url_keeps_its_endpoint(app):
    endpoints = {rule.rule: rule.endpoint for rule in app.url_map.iter_rules()
                 if rule.endpoint.startswith("letters.")}
    assert endpoints == {
        "/letters/": "letters.index",
        "/letters/journal.csv": "letters.journal_csv",
        "/letters/<int:letter_id>": "letters.show",
        "/letters/<int:letter_id>/preview": "letters.preview",
        "/letters/<int:letter_id>/pdf": "letters.pdf",
        "/letters/<int:letter_id>/edit": "letters.edit",
        "/letters/<int:letter_id>/sign": "letters.sign",
        "/letters/<int:letter_id>/render": "letters.render",
        "/letters/<int:letter_id>/dispatch": "letters.dispatch",
        "/letters/<int:letter_id>/cancel": "letters.cancel",
        "/letters/campaigns/<int:campaign_id>/circular": "letters.circular",
        "/letters/campaigns/<int:campaign_id>/reminders": "letters.reminders",
        "/letters/profile": "letters.profile",
    }
