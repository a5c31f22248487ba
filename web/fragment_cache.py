"""Rendered fragments kept by what they show: a list page's table is a pure function of its
rows (already read from the database on every request), the language, the time zone, the
audience and the query string, so the same rows are rendered once and then served as they
were. Nothing is invalidated: a changed row is a different key, and an old key falls out
of the bounded cache. What a fragment reads must all be in its key (see `list_key`).

In a template:

    {% call cached_fragment(key) %} ...markup... {% endcall %}

A fragment with forms writes `{{ CSRF_SLOT }}` where the token goes: the token changes from
request to request (it is signed with the time), so it is put in after the fragment is
taken from the cache (`with_csrf`), never kept in it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from flask import Flask, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from workflow.states import Role

from .extensions import cached_per_request, request_timezone

# A page of 25 rows renders to about 20 KB: a few megabytes per process at most.
MAX_FRAGMENTS = 256
# Where a cached fragment's forms take the request's CSRF token (nothing a user types can
# produce it: it is not escaped to itself).
CSRF_SLOT = Markup("\x00csrf-token\x00")


class FragmentCache:
    def __init__(self, maxsize: int = MAX_FRAGMENTS) -> None:
        self.maxsize = maxsize
        self._items: OrderedDict[Hashable, Markup] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_render(self, key: Hashable, render: Callable[[], str]) -> Markup:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found
        markup = Markup(render())  # outside the lock: another thread may render it too
        with self._lock:
            self._items[key] = markup
            self._items.move_to_end(key)
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)
        return markup


def request_key() -> tuple:
    """What every fragment depends on besides its data: language, time zone, audience (a
    municipality sees some states under other names), the query string and the URL root."""
    from .extensions import _select_locale

    def compute():
        municipal = current_user.is_authenticated and \
            current_user.user.role == Role.MUNICIPAL_EDITOR
        return (_select_locale(), str(request_timezone()), municipal, request.script_root,
                request.path, tuple(sorted(request.args.items(multi=True))))

    return cached_per_request("fragment_request_key", compute)


def init_app(app: Flask) -> None:
    cache = app.extensions["fragments"] = FragmentCache()

    def cached_fragment(*data: Hashable, caller) -> Markup:
        return with_csrf(cache.get_or_render((request_key(), *data), caller))

    app.jinja_env.globals["cached_fragment"] = cached_fragment
    app.jinja_env.globals["CSRF_SLOT"] = CSRF_SLOT


def with_csrf(markup: Markup) -> Markup:
    if CSRF_SLOT not in markup:
        return markup
    return Markup(markup.replace(CSRF_SLOT, escape(generate_csrf())))
