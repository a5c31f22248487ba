"""The English message catalogue: complete, consistent with the sources, compiled."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from web.i18n_labels import ALL_LABELS
from web.viewmodels import TABS
from workflow import states
from workflow.machine import PROGRAMME_TRANSITIONS

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


def test_labels_from_workflow_are_listed_for_translation():
    """`workflow` must not import Flask; web/i18n_labels.py lists its labels for the
    catalogue. This keeps that list in step with workflow.states and workflow.machine."""
    label_dicts = [getattr(states, name) for name in dir(states) if name.endswith("_LABELS")]
    labels = {label for d in label_dicts for label in d.values()}
    labels |= {t.label for t in PROGRAMME_TRANSITIONS}
    labels |= set(TABS.values())
    assert labels - set(ALL_LABELS) == set()
    assert set(ALL_LABELS) <= {m.id for m in _messages()}


def test_print_templates_of_letters_are_not_translated():
    print_templates = ROOT / "documents" / "print_templates"
    for path in print_templates.rglob("*.html"):
        source = path.read_text(encoding="utf-8")
        assert "_(" not in source and "{% trans" not in source, path
    locations = {loc for m in _messages() for loc, _line in m.locations}
    assert not any(loc.startswith(("documents/", "templates/letters/")) for loc in locations)
