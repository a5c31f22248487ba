"""The print templates ship inside the `documents` package, so an installed wheel renders."""

from __future__ import annotations

import tomllib
from fnmatch import fnmatch
from pathlib import Path

import documents
from documents.approval_sheet import TEMPLATE_DIR as SHEET_DIR
from documents.render import PRINT_TEMPLATES, TEMPLATE_DIR

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = Path(documents.__file__).resolve().parent


def test_renderers_read_their_templates_from_inside_the_package():
    for directory in (TEMPLATE_DIR, SHEET_DIR):
        assert directory.is_dir()
        assert PRINT_TEMPLATES in directory.parents
        assert PACKAGE in directory.parents


def test_every_print_template_is_declared_as_package_data():
    """A file the globs miss would be left out of the wheel: rendering would then fail only
    on an installed copy, never in the source tree the tests run from."""
    with open(ROOT / "pyproject.toml", "rb") as f:
        globs = tomllib.load(f)["tool"]["setuptools"]["package-data"]["documents"]
    files = [p.relative_to(PACKAGE).as_posix() for p in PRINT_TEMPLATES.rglob("*") if p.is_file()]
    assert {"print_templates/letters/letter.html", "print_templates/letters/letter.css",
            "print_templates/letters/emblem.svg",
            "print_templates/approval_sheet/approval_sheet.html"} <= set(files)
    assert [f for f in files if not any(fnmatch(f, g) for g in globs)] == []


def test_the_screens_template_folder_holds_no_print_templates():
    assert not (ROOT / "templates" / "letters").exists()
    assert not (ROOT / "templates" / "approval_sheet").exists()
