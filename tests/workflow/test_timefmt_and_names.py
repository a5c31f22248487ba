"""The one time-formatting helper and the declension of names (no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from workflow import names, timefmt


def test_stamp_states_the_local_time_and_its_offset():
    moment = datetime(2022, 7, 14, 23, 0, tzinfo=UTC)
    assert timefmt.stamp(moment, "Asia/Vladivostok") == "15.07.2022 09:00 (UTC+10)"
    assert timefmt.stamp(moment.replace(tzinfo=None), "Asia/Vladivostok") == "15.07.2022 09:00 (UTC+10)"
    assert timefmt.stamp(moment, "UTC") == "14.07.2022 23:00 (UTC)"
    assert timefmt.stamp(moment, "Asia/Kolkata") == "15.07.2022 04:30 (UTC+5:30)"
    assert timefmt.stamp(moment, timezone(timedelta(hours=-3))) == "14.07.2022 20:00 (UTC-3)"


def test_dates_of_instants_are_the_local_calendar_dates():
    late = datetime(2026, 11, 30, 15, 13, tzinfo=UTC)
    assert timefmt.ddmmyyyy(late, "Asia/Vladivostok") == "01.12.2026"
    assert timefmt.ddmmyyyy(late, "Europe/Moscow") == "30.11.2026"
    assert timefmt.ddmmyyyy(date(2026, 11, 30), "Asia/Vladivostok") == "30.11.2026"
    assert timefmt.ddmmyyyy(None) == ""


def test_an_unknown_zone_falls_back_to_utc_instead_of_failing():
    assert timefmt.stamp(datetime(2026, 1, 1, tzinfo=UTC), "Mars/Olympus") == "01.01.2026 00:00 (UTC)"


@pytest.mark.parametrize(("surname", "first", "patronymic", "dative", "greeting"), [
    ("Васильева", "Елена", "Александровна", "Е.А. Васильевой", "Уважаемая Елена Александровна!"),
    ("Фёдоров", "Павел", "Геннадьевич", "П.Г. Фёдорову", "Уважаемый Павел Геннадьевич!"),
    ("Корнилов", "Роман", "Ильич", "Р.И. Корнилову", "Уважаемый Роман Ильич!"),
    ("Белых", "Марина", "Александровна", "М.А. Белых", "Уважаемая Марина Александровна!"),
    ("Гончаренко", "Наталья", "Владимировна", "Н.В. Гончаренко", "Уважаемая Наталья Владимировна!"),
    ("Бондарь", "Максим", "Юрьевич", "М.Ю. Бондарю", "Уважаемый Максим Юрьевич!"),
    ("Бондарь", "Оксана", "Юрьевна", "О.Ю. Бондарь", "Уважаемая Оксана Юрьевна!"),
    ("Шкуратская", "Мария", "Викторовна", "М.В. Шкуратской", "Уважаемая Мария Викторовна!"),
    ("Петрова-Водкина", "Анна", "Ивановна", "А.И. Петровой-Водкиной", "Уважаемая Анна Ивановна!"),
    ("Мамедов", "Алиф", "Гасан оглы", "А.Г. Мамедову", "Уважаемый Алиф Гасан оглы!"),
])
def test_names_are_declined_by_the_gender_the_patronymic_states(
        surname, first, patronymic, dative, greeting):
    assert names.dative_initials_surname(surname, first, patronymic) == dative
    assert names.salutation(first, patronymic, surname) == greeting


def test_without_a_patronymic_the_gender_comes_from_the_first_name_or_nothing_is_guessed():
    assert names.gender_of("Елена", "", "") == names.FEMALE
    assert names.dative_initials_surname("Ким", "Саша", "") == "С. Ким"  # unknown: not declined
    assert names.salutation("Елена", "", "Васильева") is None
