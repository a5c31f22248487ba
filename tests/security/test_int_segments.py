"""Every route with an integer segment, found in the URL map: an identifier beyond
PostgreSQL's INTEGER (or thousands of digits) is a Russian 404, never a 500. Before, the
screens' plain `int` converter let 99999999999999999999 reach the database (OverflowError)."""

from __future__ import annotations

import re

import pytest

from tests.security.conftest import sign_in

INT_SEGMENT = re.compile(r"<int(?:\([^)]*\))?:(\w+)>")
OTHER_SEGMENT = re.compile(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>")
# Values for the other segments: ones the handlers accept, so only the number is wrong.
OTHER_VALUES = {"trigger": "submit", "op": "answer", "code": "ABCDEFGHJK", "filename": "x.css"}
HUGE = ["2147483648", "99999999999999999999", "9" * 5000]


def int_routes(app) -> list[tuple[str, str, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        if not INT_SEGMENT.search(rule.rule):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((method, rule.rule, rule.endpoint))
    return found


def fill(rule: str, huge: str, which: str) -> str:
    """The rule with `huge` in the integer segment `which`, 1 in the other integer segments
    and a valid value in the rest."""

    def other(match):
        return OTHER_VALUES.get(match.group(1), "x")

    url = INT_SEGMENT.sub(lambda m: huge if m.group(1) == which else "1", rule)
    return OTHER_SEGMENT.sub(other, url)


def test_every_integer_segment_is_bounded(app, world, client):
    routes = int_routes(app)
    endpoints = {endpoint for _m, _r, endpoint in routes}
    # The ones the finding named are among them.
    for expected in ("programmes.show", "letters.show", "letters.preview", "admin.user_edit",
                     "admin.municipality_edit"):
        assert expected in endpoints, expected
    sign_in(client, "admin")
    failures = []
    checked = 0
    for method, rule, _endpoint in routes:
        for name in INT_SEGMENT.findall(rule):
            for huge in HUGE:
                url = fill(rule, huge, name)
                response = client.open(url, method=method)
                checked += 1
                body = response.get_data(as_text=True)
                if response.status_code != 404:
                    failures.append(f"{method} {url[:80]}: {response.status_code}")
                elif url.startswith("/api/"):
                    if response.get_json()["error"]["code"] != "not_found":
                        failures.append(f"{method} {url[:80]}: {body[:200]}")
                elif "Страница не найдена" not in body:
                    failures.append(f"{method} {url[:80]}: not the Russian 404 page")
    print(f"\n{len(routes)} route/method pairs with integer segments, {checked} requests")
    assert checked >= 3 * 25
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("url", ["/programmes/2147483647", "/letters/2147483647",
                                 "/admin/users/2147483647"])
def test_the_largest_integer_is_an_ordinary_missing_object(app, world, client, url):
    sign_in(client, "admin")
    assert client.get(url).status_code in (403, 404)
