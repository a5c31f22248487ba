"""The emblem SVG check (web/upload_checks.py): parsed by defusedxml and tinycss2 with an
allowlist. Each hostile emblem below is a way past the old pattern-based check (url() in
presentation attributes, CSS escapes, animation, processing instructions, foreign
namespaces...); each good one is what a drawing program really produces."""

from __future__ import annotations

from pathlib import Path

import pytest

from web import create_app
from web.upload_checks import EmblemRejected, check_emblem_svg

ROOT = Path(__file__).resolve().parents[2]
NS = 'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'


def svg(inner: str, attrs: str = "") -> bytes:
    return f'<svg {NS} viewBox="0 0 10 10" {attrs}>{inner}</svg>'.encode()


HOSTILE = {
    "url() in fill": svg('<rect width="5" height="5" fill="url(http://evil.example/p)"/>'),
    "url() in filter": svg('<rect width="5" height="5" filter="url(https://evil.example/f#x)"/>'),
    "url() in mask": svg('<rect width="5" height="5" mask="url(//evil.example/m)"/>'),
    "quoted url() in clip-path": svg('<g clip-path="url(\'http://evil.example/c\')"/>'),
    "url() in marker-end": svg('<path d="M0 0L5 5" marker-end="url(file:///etc/passwd)"/>'),
    "CSS escape in style attribute": svg(
        '<rect width="5" height="5" style="fill: u\\72l(http://evil.example/p)"/>'),
    "CSS escape in a style sheet": svg(
        '<style>rect { fill: \\75 rl(http://evil.example/p) }</style><rect width="5"/>'),
    "escaped url in a presentation attribute": svg(
        '<rect width="5" fill="\\75\\72\\6c(http://evil.example/p)"/>'),
    "url with whitespace in a style sheet": svg(
        '<style>rect{fill:url(  "http://evil.example/p"  )}</style><rect/>'),
    "@import with a string": svg('<style>@import "http://evil.example/s.css";</style>'),
    "@import escaped": svg('<style>@\\69mport url(http://evil.example/s.css);</style>'),
    "@font-face src": svg(
        '<style>@font-face { font-family: x; src: url(http://evil.example/f.woff) }</style>'),
    "image-set()": svg('<style>rect{fill:image-set("http://evil.example/a.png" 1x)}</style>'),
    "bad url token": svg('<style>rect{fill:url(http://evil.example/a b)}</style>'),
    "xml-stylesheet processing instruction": (
        b'<?xml-stylesheet href="http://evil.example/s.css"?>' + svg("<rect/>")),
    "script": svg("<script>alert(1)</script>"),
    "script in another case": svg("<SCRIPT>alert(1)</SCRIPT>"),
    "event handler": svg('<rect width="5" onmouseover="alert(1)"/>'),
    "foreignObject": svg('<foreignObject><p xmlns="http://www.w3.org/1999/xhtml">x</p>'
                         "</foreignObject>"),
    "XHTML element": svg('<h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script>'),
    "external use": svg('<use xlink:href="http://evil.example/s.svg#x"/>'),
    "external href (SVG 2)": svg('<use href="data:image/svg+xml;base64,PHN2Zz4="/>'),
    "image": svg('<image href="#x"/>'),
    "link": svg('<a xlink:href="javascript:alert(1)"><rect width="5"/></a>'),
    "animation that rewrites an attribute": svg(
        '<rect width="5"><set attributeName="fill" to="url(http://evil.example/p)"/></rect>'),
    "animate": svg('<animate attributeName="href" values="javascript:alert(1)"/>'),
    "xml:base": svg('<g xml:base="http://evil.example/"><rect/></g>'),
    "unknown attribute": svg('<rect width="5" requiredExtensions="http://evil.example/"/>'),
    "DOCTYPE without entities": b"<!DOCTYPE svg>" + svg("<rect/>"),
    "external entity": (b'<!DOCTYPE svg [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                        + svg("<text>&e;</text>")),
}

GOOD = {
    "gradient by fragment": svg(
        '<defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/>'
        '<stop offset="1" stop-color="#1f3a68"/></linearGradient></defs>'
        '<rect width="10" height="10" fill="url(#g)" style="stroke:url(\'#g\');stroke-width:1"/>'),
    "filter and mask by fragment": svg(
        '<defs><filter id="f"><feGaussianBlur stdDeviation="1"/></filter>'
        '<mask id="m"><rect width="10" height="10" fill="#fff"/></mask></defs>'
        '<circle cx="5" cy="5" r="4" filter="url(#f)" mask="url(#m)"/>'),
    "style sheet with fragments": svg(
        '<style>.a { fill: url(#g); font-family: "PT Serif", serif } @media print { .a {'
        ' opacity: .9 } }</style><linearGradient id="g"/><text class="a" x="1" y="8">Герб</text>'),
    "use by fragment": svg('<defs><path id="p" d="M0 0h10v10H0z"/></defs>'
                           '<use xlink:href="#p" fill="#1f4e79"/>'),
    "Inkscape document": (
        b'<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
        b'<!-- Created with Inkscape (http://www.inkscape.org/) -->\n'
        b'<svg xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:cc="http://creativecommons.org/ns#"'
        b' xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        b' xmlns="http://www.w3.org/2000/svg"'
        b' xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"'
        b' xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"'
        b' width="100" height="120" viewBox="0 0 100 120" version="1.1" id="svg8"'
        b' inkscape:version="1.0" sodipodi:docname="gerb.svg">'
        b'<sodipodi:namedview id="base" pagecolor="#ffffff" inkscape:zoom="1"/>'
        b'<metadata id="metadata5"><rdf:RDF><cc:Work rdf:about="">'
        b'<dc:format>image/svg+xml</dc:format>'
        b'<dc:type rdf:resource="http://purl.org/dc/dcmitype/StillImage"/>'
        b'</cc:Work></rdf:RDF></metadata>'
        b'<g inkscape:label="Layer 1" inkscape:groupmode="layer" id="layer1">'
        b'<path style="fill:#1f3a68;stroke:none" d="M50 4 L94 16 L94 58 Z" id="path10"/>'
        b'</g></svg>'),
    "the demo emblem": (ROOT / "documents" / "print_templates" / "letters" / "emblem.svg").read_bytes(),
}


@pytest.fixture(scope="module")
def app_context(tmp_path_factory):
    """The messages are translated with flask_babel: an application context is needed."""
    app = create_app({"TESTING": True, "SECRET_KEY": "x",
                      "DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('svg') / 'x.db'}"})
    with app.test_request_context():
        yield


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_emblems_are_refused(app_context, name):
    with pytest.raises(EmblemRejected) as caught:
        check_emblem_svg(HOSTILE[name])
    assert str(caught.value)  # a Russian message for the form


@pytest.mark.parametrize("name", sorted(GOOD))
def test_real_emblems_are_accepted(app_context, name):
    assert check_emblem_svg(GOOD[name]).lstrip().startswith(("<?xml", "<svg"))


def test_the_letters_screens_keep_no_emblem_check():
    """The check lives with the other upload checks only; the profile screen calls it."""
    import pkgutil

    from web.blueprints import letters

    for module in pkgutil.iter_modules(letters.__path__):
        source = (Path(letters.__path__[0]) / f"{module.name}.py").read_text(encoding="utf-8")
        assert "defusedxml" not in source and "tinycss2" not in source, module.name
        assert "def check_emblem_svg" not in source and "class EmblemRejected" not in source
    assert not hasattr(letters, "check_emblem_svg")
