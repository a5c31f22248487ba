"""Templates compiled once per language, their fixed strings already translated.

A page writes `_('Действия')` some sixty times; called at render time, each goes through
Jinja's gettext wrapper, the catalogue and a `Markup % {}`: about a tenth of a page's time,
to produce the same string for every request in that language. Here a template is compiled
for the language of the request that first needs it, with each `_('fixed text', name=value)`
replaced by the translated text (`Markup(text) % {'name': value}`, as the wrapper would do),
so a fixed string is part of the compiled template's output and costs nothing per request.

The translation is the one the runtime `_()` would use (`extensions.request_translations`),
and the compiled templates are kept per language. What is not a fixed string in a template
(`_(variable)`, `ngettext`, labels translated by a filter) is still translated per request.
Outside a request (no language) templates compile untouched.
"""

from __future__ import annotations

import weakref
from contextvars import ContextVar

from flask import has_request_context
from flask.templating import Environment
from jinja2 import nodes
from jinja2.visitor import NodeTransformer

from .extensions import request_locale, request_translations

# The names under which templates call gettext (`{% trans %}` compiles to `gettext`).
GETTEXT_NAMES = frozenset({"_", "gettext"})

# The catalogue to translate with while a template is being compiled for a language.
_compiling_with: ContextVar[object | None] = ContextVar("compiling_with", default=None)


class LocalisedEnvironment(Environment):
    """Flask's environment with its template cache keyed by language as well as by name."""

    def _load_template(self, name, globals):  # noqa: A002 (Jinja's own signature)
        if not has_request_context():
            return super()._load_template(name, globals)
        locale = request_locale()
        if self.loader is None:
            raise TypeError("no loader for this environment specified")
        # Jinja's own cache key, with the language added (jinja2.Environment._load_template).
        cache_key = (weakref.ref(self.loader), name, locale)
        if self.cache is not None:
            template = self.cache.get(cache_key)
            if template is not None and (not self.auto_reload or template.is_up_to_date):
                if globals:
                    template.globals.update(globals)
                return template
        # Compiled (once per language) with the catalogue the runtime `_()` would use.
        token = _compiling_with.set(request_translations())
        try:
            template = self.loader.load(self, name, self.make_globals(globals))
        finally:
            _compiling_with.reset(token)
        if self.cache is not None:
            self.cache[cache_key] = template
        return template

    def _parse(self, source, name, filename):
        tree = super()._parse(source, name, filename)
        translations = _compiling_with.get()
        if translations is None or _rebinds_gettext(tree):
            return tree
        return FixedStringTranslator(translations, self).visit(tree)


def _rebinds_gettext(tree: nodes.Template) -> bool:
    """A template that binds `_` or `gettext` itself (a variable, a macro or its argument, an
    import) is left to translate at render time."""
    bound = {n.name for n in tree.find_all(nodes.Name) if n.ctx != "load"}
    for macro in tree.find_all(nodes.Macro):
        bound.add(macro.name)
        bound.update(arg.name for arg in macro.args)
    bound.update(i.target for i in tree.find_all(nodes.Import))
    for imported in tree.find_all(nodes.FromImport):
        bound.update(n[1] if isinstance(n, tuple) else n for n in imported.names)
    return not bound.isdisjoint(GETTEXT_NAMES)


class FixedStringTranslator(NodeTransformer):
    """`_('text')` -> the translated text; `_('text %(n)s', n=x)` -> `Markup(text) % {'n': x}`:
    what Jinja's newstyle gettext returns (jinja2.ext._make_new_gettext), computed once."""

    def __init__(self, translations, environment: Environment) -> None:
        self.translations = translations
        self.environment = environment

    def visit_Call(self, node: nodes.Call) -> nodes.Node:
        node = self.generic_visit(node)
        if not (isinstance(node.node, nodes.Name) and node.node.name in GETTEXT_NAMES
                and len(node.args) == 1 and isinstance(node.args[0], nodes.Const)
                and isinstance(node.args[0].value, str)
                and node.dyn_args is None and node.dyn_kwargs is None):
            return node
        text = self.translations.ugettext(node.args[0].value)
        lineno = node.lineno
        if not node.kwargs:
            try:
                text = text % {}  # newstyle gettext always formats: "%%" is a percent sign
            except (KeyError, TypeError, ValueError):
                return node  # fails at render time as it always did
            translated = nodes.MarkSafeIfAutoescape(nodes.Const(text), lineno=lineno)
        else:
            variables = nodes.Dict([nodes.Pair(nodes.Const(k.key), k.value) for k in node.kwargs])
            translated = nodes.Mod(nodes.MarkSafeIfAutoescape(nodes.Const(text)), variables)
        return translated.set_lineno(lineno).set_environment(self.environment)
