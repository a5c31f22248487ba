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
        # A short preposition now stays with its date as well ("от 21.07.2020").
        ("от 21.07.2020 №474", f"от{NBSP}21.07.2020 №{NBSP}474"),
        ("г. Владивосток", f"г.{NBSP}Владивосток"),
        ("- проводить работу", f"–{NBSP}проводить работу"),
        ("Уважаемые коллеги!", "Уважаемые коллеги!"),
    ],
)
def test_keep_together(text, expected):
    assert keep_together(text) == expected


def test_straight_quotes_become_guillemets_and_nested_ones_low_high_quotes():
    from documents.typography import typographic_quotes

    assert typographic_quotes('программа "Успех" на 2026 год') == "программа «Успех» на 2026 год"
    assert typographic_quotes('«Программа "Старт"»') == "«Программа „Старт“»"
    assert typographic_quotes("«Программа «Старт»»") == "«Программа „Старт“»"
    assert typographic_quotes('ООО "Ромашка", "Лютик"') == "ООО «Ромашка», «Лютик»"
    assert typographic_quotes("без кавычек") == "без кавычек"


def test_every_string_of_a_letter_gets_the_quotes():
    assert keep_together('Письмо № 5 о "программе"') == "Письмо №\u00a05 о «программе»"


def test_a_dash_and_a_date_do_not_start_a_line_alone():
    assert keep_together("программ работы — до 30.09.2022") == (
        "программ работы\u00a0— до\u00a030.09.2022")
    assert keep_together("письмом от 15.07.2022 № 23/6666") == (
        "письмом от\u00a015.07.2022 №\u00a023/6666")
