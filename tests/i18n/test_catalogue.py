"""The English message catalogue: complete, consistent with the sources, compiled."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

import workflow
from web.viewmodels import TABS
from workflow.campaign_machine import CAMPAIGN_TRANSITIONS
from workflow.machine import PROGRAMME_TRANSITIONS
from workflow.programme_drafting import FIELD_LABELS

ROOT = Path(__file__).resolve().parents[2]
LC = ROOT / "web" / "translations" / "en" / "LC_MESSAGES"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None,
            "N_": None}


def _catalog():
    with open(LC / "messages.po", "rb") as f:
        return read_po(f, locale="en")


def _messages():
    return [m for m in _catalog() if m.id]


def test_every_msgid_has_a_non_empty_translation():
    messages = _messages()
    assert len(messages) > 400
    untranslated = [m.id for m in messages if not m.string or not str(m.string).strip()]
    assert untranslated == []
    assert not [m.id for m in messages if m.fuzzy]


def test_placeholders_match_and_english_has_no_cyrillic():
    catalog = _catalog()
    problems = [(m.id, [str(e) for e in errors]) for m, errors in catalog.check()]
    assert problems == []
    leftovers = [m.id for m in _messages()
                 if any("\u0400" <= ch <= "\u04ff" for ch in str(m.string))]
    assert leftovers == []


def test_compiled_catalogue_matches_the_po_file():
    def plain(value):  # read_mo gives a plural (ngettext) entry as lists, read_po as tuples
        return tuple(value) if isinstance(value, (list, tuple)) else value

    with open(LC / "messages.mo", "rb") as f:
        compiled = {plain(m.id): plain(m.string) for m in read_mo(f) if m.id}
    assert compiled == {plain(m.id): plain(m.string) for m in _messages()}


def test_every_marked_string_in_the_sources_is_in_the_catalogue():
    """What `pybabel extract -F babel.cfg` finds (templates, web/) is all translated: a new
    `_()` without a catalogue entry would show Russian in the English UI."""
    with open(ROOT / "babel.cfg") as f:
        method_map, options_map = parse_mapping_cfg(f)
    extracted = {message if isinstance(message, str) else message[0]
                 for _file, _line, message, _comments, _context
                 in extract_from_dir(str(ROOT), method_map, options_map, keywords=KEYWORDS)}
    # A plural (ngettext) entry's id is (singular, plural); extraction yields its singular.
    catalogued = {m.id[0] if isinstance(m.id, tuple) else m.id for m in _messages()}
    missing = sorted(extracted - catalogued)
    assert missing == []


def _extracted(*paths: str) -> set[str]:
    with open(ROOT / "babel.cfg") as f:
        method_map, options_map = parse_mapping_cfg(f)
    found = set()
    for path in paths:
        for _file, _line, message, _comments, _context in extract_from_dir(
                str(ROOT / path), [(p.removeprefix(f"{path}/"), m) for p, m in method_map
                                   if p.startswith(f"{path}/")],
                options_map, keywords=KEYWORDS):
            found.add(message if isinstance(message, str) else message[0])
    return found


# Labels that only name a field inside a Russian error message of `workflow` (which stays
# Russian, like every domain message); the screens never show them on their own.
NOT_SHOWN_ALONE = (FIELD_LABELS,)


def _declared_labels() -> set[str]:
    """Every label the screens show from `workflow` (and the queue tabs of web.viewmodels):
    each module-level `*_LABELS` dict of a workflow module, and the transitions' labels."""
    labels = set()
    for info in pkgutil.walk_packages(workflow.__path__, "workflow."):
        if ".migrations" in info.name or ".demo" in info.name:
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if (name.endswith("_LABELS") and isinstance(value, dict)
                    and not any(value is skipped for skipped in NOT_SHOWN_ALONE)):
                labels |= {v for v in value.values() if isinstance(v, str)}
    labels |= {t.label for t in PROGRAMME_TRANSITIONS}
    labels |= {t.label for t in CAMPAIGN_TRANSITIONS}
    labels |= set(TABS.values())
    return labels


def test_labels_are_marked_where_they_are_declared_and_translated():
    """`workflow` must not import Flask, so its labels are marked in place with the no-op
    `workflow.i18n.N_`; babel.cfg extracts workflow/. A label added without the marker is
    not extracted and would show Russian in the English UI: this names it."""
    labels = _declared_labels()
    assert {"Черновик", "Согласовать", "Подготовка", "Ожидают рассмотрения"} <= labels
    assert labels - _extracted("workflow", "web") == set()
    catalogued = {m.id for m in _messages()}
    assert labels - catalogued == set()


def test_workflow_contributes_only_marked_labels_to_the_catalogue():
    """Extraction from workflow/ finds only `N_` markers: its error messages stay Russian."""
    workflow_strings = _extracted("workflow")
    assert workflow_strings <= {m.id for m in _messages()}
    marked = _extracted("workflow") & _declared_labels()
    assert marked
    assert "Подписать письмо может только подписант" not in workflow_strings


def test_print_templates_of_letters_are_not_translated():
    print_templates = ROOT / "documents" / "print_templates"
    for path in print_templates.rglob("*.html"):
        source = path.read_text(encoding="utf-8")
        assert "_(" not in source and "{% trans" not in source, path
    locations = {loc for m in _messages() for loc, _line in m.locations}
    # The route diagram is drawn for the screens (documents/route_diagram.py): the one file of
    # documents/ in the catalogue.
    assert not any(loc.startswith(("documents/", "templates/letters/"))
                   and loc != "documents/route_diagram.py" for loc in locations)
