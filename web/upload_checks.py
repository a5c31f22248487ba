"""Checks of uploaded images: the organisation's emblem (SVG) printed on every letter.

The emblem is stored as text and rendered by WeasyPrint into every signed letter, so it must
be a self-contained, static picture: nothing that runs (scripts, event handlers, animation
that rewrites attributes), nothing that embeds another document (foreignObject, images,
iframes) and nothing that fetches (any URL that is not a fragment of the same document).

Parsing is done by real parsers, never by patterns over the text: XML by defusedxml (no DTD,
no entities, no external references) and CSS by tinycss2, which decodes escapes, so that
`u\\72l(http://…)` is seen as the `url(` it is. Elements and attributes are allowlisted.
"""

from __future__ import annotations

from xml.etree import ElementTree

import tinycss2
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser
from flask_babel import gettext

EMBLEM_MAX_BYTES = 200 * 1024

SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
XML = "http://www.w3.org/XML/1998/namespace"
# Drawing programs add their own elements and attributes (Inkscape, Sodipodi, RDF metadata);
# renderers ignore them. Anything in another namespace (XHTML, MathML...) is refused.
EDITOR_NAMESPACES = {
    "http://www.inkscape.org/namespaces/inkscape",
    "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "http://creativecommons.org/ns#",
    "http://web.resource.org/cc/",
    "http://purl.org/dc/elements/1.1/",
}


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# The static subset of SVG 1.1/2: shapes, text, paint servers, clipping, masking, filters.
ALLOWED_ELEMENTS = _words("""
svg g defs symbol use title desc metadata style switch
path rect circle ellipse line polyline polygon
text tspan textpath
lineargradient radialgradient stop pattern clippath mask marker
filter feblend fecolormatrix fecomponenttransfer fecomposite feconvolvematrix
fediffuselighting fedisplacementmap fedistantlight fedropshadow feflood fefunca fefuncb
fefuncg fefuncr fegaussianblur femerge femergenode femorphology feoffset fepointlight
fespecularlighting fespotlight fetile feturbulence
""")

ALLOWED_ATTRIBUTES = _words("""
id class style lang transform viewbox preserveaspectratio version baseprofile width height
x y x1 y1 x2 y2 cx cy r rx ry fx fy fr d points pathlength href
offset gradientunits gradienttransform spreadmethod patternunits patterncontentunits
patterntransform clippathunits maskunits maskcontentunits markerunits markerwidth
markerheight refx refy orient filterunits primitiveunits in in2 result stddeviation dx dy
mode operator k1 k2 k3 k4 values type tablevalues slope intercept amplitude exponent
basefrequency numoctaves seed stitchtiles radius scale xchannelselector ychannelselector
kernelmatrix order divisor bias targetx targety edgemode preservealpha surfacescale
diffuseconstant specularconstant specularexponent kernelunitlength azimuth elevation z
pointsatx pointsaty pointsatz limitingconeangle rotate textlength lengthadjust startoffset
method spacing side
fill fill-opacity fill-rule stroke stroke-width stroke-opacity stroke-linecap
stroke-linejoin stroke-miterlimit stroke-dasharray stroke-dashoffset opacity color display
visibility clip-path clip-rule mask filter marker marker-start marker-mid marker-end
stop-color stop-opacity flood-color flood-opacity lighting-color overflow shape-rendering
text-rendering image-rendering color-interpolation color-interpolation-filters
color-rendering vector-effect paint-order mix-blend-mode isolation enable-background
font font-family font-size font-size-adjust font-weight font-style font-variant
font-stretch letter-spacing word-spacing text-anchor text-decoration dominant-baseline
alignment-baseline baseline-shift writing-mode direction
""")
XML_ATTRIBUTES = {"space", "lang"}
XLINK_ATTRIBUTES = {"href", "title"}


class EmblemRejected(ValueError):
    pass


def _local(name: str) -> tuple[str | None, str]:
    if name.startswith("{"):
        namespace, local = name[1:].split("}", 1)
        return namespace, local
    return None, name


def check_emblem_svg(data: bytes) -> str:
    """The SVG text if it is a self-contained, static image; else EmblemRejected (Russian)."""
    if len(data) > EMBLEM_MAX_BYTES:
        raise EmblemRejected(gettext("Файл герба больше 200 КБ"))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise EmblemRejected(gettext("Файл герба должен быть SVG в кодировке UTF-8")) from error
    root = _parse(text)
    namespace, local = _local(root.tag) if isinstance(root.tag, str) else (None, "")
    if local != "svg" or namespace not in (SVG, None):
        raise EmblemRejected(gettext("Файл не является SVG-изображением: корневой элемент не <svg>"))
    for element in root.iter():
        _check_element(element)
    return text


class _Builder(ElementTree.TreeBuilder):
    """Notes every processing instruction, also those outside the root element, which the
    tree does not keep (`<?xml-stylesheet href=...?>` comes before <svg>). The XML
    declaration is not one."""

    def __init__(self):
        super().__init__()
        self.instructions: list[str] = []

    def pi(self, target, text=None):
        self.instructions.append(target)
        return super().pi(target, text)


def _parse(text: str) -> ElementTree.Element:
    builder = _Builder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=True, forbid_entities=True,
                              forbid_external=True)
    try:
        parser.feed(text)
        root = parser.close()
    except DefusedXmlException as error:
        raise EmblemRejected(
            gettext("SVG с объявлением DOCTYPE или ENTITY не принимается")) from error
    except ElementTree.ParseError as error:
        raise EmblemRejected(
            gettext("Файл не является корректным SVG (ошибка разбора XML)")) from error
    if builder.instructions:
        raise EmblemRejected(gettext("SVG подключает внешнюю таблицу стилей"))
    return root


def _forbidden_element(name: str) -> EmblemRejected:
    return EmblemRejected(gettext("SVG содержит недопустимый элемент <%(element)s> "
                                  "(сценарии и встроенные документы запрещены)", element=name))


def _check_element(element) -> None:
    if element.tag is ElementTree.Comment:
        return
    namespace, local = _local(element.tag)
    # Attributes first: an external reference is named as such, on any element.
    for name, value in element.attrib.items():
        _check_attribute(namespace, name, value)
    if namespace in (SVG, None):
        if local.lower() not in ALLOWED_ELEMENTS:
            raise _forbidden_element(local.lower())
    elif namespace not in EDITOR_NAMESPACES:
        raise _forbidden_element(local.lower())
    if namespace in (SVG, None) and local.lower() == "style":
        _check_stylesheet(element.text or "")


def _check_attribute(element_namespace: str | None, name: str, value: str) -> None:
    namespace, local = _local(name)
    attr = local.lower()
    if attr.startswith("on"):
        raise EmblemRejected(gettext("SVG содержит обработчик события «%(attr)s»", attr=attr))
    if attr == "href" and namespace in (None, XLINK):
        if not value.strip().startswith("#"):
            raise EmblemRejected(gettext("SVG ссылается на внешний ресурс; допустимы только "
                                         "ссылки внутри файла (#id)"))
        return
    if namespace is None:
        allowed = element_namespace in EDITOR_NAMESPACES or attr in ALLOWED_ATTRIBUTES
    elif namespace == XML:
        allowed = attr in XML_ATTRIBUTES
    elif namespace == XLINK:
        allowed = attr in XLINK_ATTRIBUTES
    else:
        allowed = namespace in EDITOR_NAMESPACES
    if not allowed:
        raise EmblemRejected(gettext("SVG содержит недопустимый атрибут «%(attr)s»", attr=local))
    if attr == "style":
        _check_tokens(tinycss2.parse_blocks_contents(value))
    elif namespace is None:
        # Presentation attributes are CSS values: fill="url(#g)", filter="url(#f)".
        _check_tokens(tinycss2.parse_component_value_list(value))


def _check_stylesheet(css: str) -> None:
    for rule in tinycss2.parse_stylesheet(css):
        if rule.type == "at-rule" and rule.lower_at_keyword in ("import", "namespace"):
            raise EmblemRejected(gettext("SVG подключает внешнюю таблицу стилей"))
        if rule.type == "error":
            continue  # skipped by every CSS engine
        _check_tokens(getattr(rule, "prelude", None) or [])
        _check_tokens(getattr(rule, "content", None) or [])


def _external() -> EmblemRejected:
    return EmblemRejected(gettext("SVG ссылается на внешний ресурс в стилях"))


def _check_tokens(tokens) -> None:
    """Every url() (however spelt: escapes are decoded by the tokenizer) must be a fragment
    of this document; a function that takes an image or a URL string is refused."""
    for token in tokens:
        kind = token.type
        if kind == "url":
            if not token.value.strip().startswith("#"):
                raise _external()
        elif kind == "error" and token.kind == "bad-url":
            raise _external()
        elif kind == "function":
            name = token.lower_name
            if name in ("url", "src"):
                _check_url_arguments(token.arguments)
            elif name in ("image", "image-set", "-webkit-image-set", "cross-fade", "element",
                          "paint"):
                raise _external()
            _check_tokens(token.arguments)
        elif kind == "declaration":
            _check_tokens(token.value)
        elif kind in ("() block", "[] block", "{} block"):
            _check_tokens(token.content)
        elif kind in ("qualified-rule", "at-rule"):
            if kind == "at-rule" and token.lower_at_keyword in ("import", "namespace"):
                raise EmblemRejected(gettext("SVG подключает внешнюю таблицу стилей"))
            _check_tokens(token.prelude or [])
            _check_tokens(token.content or [])


def _check_url_arguments(arguments) -> None:
    """`url("#g")` or, spelt as a function (escaped name), `u\\72l(#g)`: one string or hash
    that names a fragment; anything else is a way to spell an external address."""
    meaningful = [t for t in arguments if t.type not in ("whitespace", "comment")]
    if len(meaningful) == 1:
        token = meaningful[0]
        if token.type == "string" and token.value.strip().startswith("#"):
            return
        if token.type == "hash":
            return
    raise _external()
