from __future__ import annotations

import pytest

from documents.typography import NBSP, keep_together


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("М.В. Шкуратская", f"М.В.{NBSP}Шкуратская"),
        ("М. В. Шкуратская", f"М.В.{NBSP}Шкуратская"),
        ("Шкуратская М.В.", f"Шкуратская{NBSP}М.В."),
        ("№ 23/6666", f"№{NBSP}23/6666"),
        ("от 21.07.2020 №474", f"от 21.07.2020 №{NBSP}474"),
        ("г. Владивосток", f"г.{NBSP}Владивосток"),
        ("- проводить работу", f"–{NBSP}проводить работу"),
        ("Уважаемые коллеги!", "Уважаемые коллеги!"),
    ],
)
def test_keep_together(text, expected):
    assert keep_together(text) == expected
