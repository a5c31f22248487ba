"""Screens show dates in the organisation's time zone (from its profile), the organisation's
name from the profile, and let an admin keep a municipality's reference data for letters."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from tests.factories import new_programme
from tests.web.conftest import sign_in, text
from workflow import operations
from workflow.models import Municipality, OrganisationProfile


def _submitted_late_in_utc(world):
    # 15:30 UTC on 30 November is 01:30 on 1 December in Vladivostok.
    world.clock.now = datetime(2026, 11, 30, 15, 30, tzinfo=UTC)
    p = new_programme(world)
    operations.submit_programme(world.session, p, world.editor, now=world.clock.tick())
    world.session.commit()
    return p


def test_revision_chips_carry_the_local_date(client, world):
    p = _submitted_late_in_utc(world)
    sign_in(client, "editor")
    page = text(client.get(f"/programmes/{p.id}"))
    assert "№ 1 от 1 декабря 2026 г." in page
    assert "30 ноября" not in page


def test_the_zone_is_the_one_in_the_profile(client, world):
    p = _submitted_late_in_utc(world)
    profile = world.session.scalar(select(OrganisationProfile))
    profile.timezone = "Europe/Moscow"
    world.session.commit()
    sign_in(client, "editor")
    page = text(client.get(f"/programmes/{p.id}"))
    assert "№ 1 от 30 ноября 2026 г." in page
    assert "30 ноября 2026 г., 18:32" in page  # history and "Направлена": Moscow time


def test_footer_and_title_name_the_organisation_of_the_profile(client, world):
    profile = world.session.scalar(select(OrganisationProfile))
    profile.name = "Департамент образования и науки Приморского края"
    world.session.commit()
    sign_in(client, "editor")
    page = text(client.get("/"))
    assert "Департамент образования и науки Приморского края</footer>" in page
    assert "— Департамент образования и науки Приморского края</title>" in page
    assert "Министерство образования" not in page


HASAN = {
    "name": "Хасанский муниципальный округ", "kind": "муниципальный округ",
    "name_genitive": "Хасанского муниципального округа",
    "name_dative": "Хасанскому муниципальному округу",
    "name_prepositional": "Хасанском муниципальном округе",
    "authority_name": "Управление образования администрации Хасанского муниципального округа",
    "authority_name_dative": "Управлению образования администрации Хасанского муниципального округа",
    "head_position": "Начальник управления образования администрации Хасанского муниципального округа",
    "head_position_dative": "Начальнику управления образования администрации Хасанского муниципального округа",
    "head_surname": "Васильева", "head_first_name": "Елена", "head_patronymic": "Александровна",
}


def test_admin_keeps_the_reference_data_of_a_municipality(client, world):
    sign_in(client, "admin")
    form = text(client.get(f"/admin/municipalities/{world.foreign.id}"))
    assert "Должность руководителя в дательном падеже" in form
    assert client.post(f"/admin/municipalities/{world.foreign.id}", data=HASAN).status_code == 302
    world.session.expire_all()
    m = world.session.get(Municipality, world.foreign.id)
    assert {key: getattr(m, key) for key in HASAN} == HASAN
    listing = text(client.get("/admin/municipalities"))
    assert "Васильева Елена Александровна" in listing


def test_reference_data_is_checked_with_russian_messages(client, world):
    sign_in(client, "admin")
    url = f"/admin/municipalities/{world.foreign.id}"
    cases = [
        ({"head_position_dative": ""}, "Заполните поле «Должность руководителя в дательном падеже»"),
        ({"head_surname": "васильева"}, "Фамилия руководителя"),
        ({"head_first_name": "Елена1"}, "только буквы"),
        ({"name_genitive": "Хасанский муниципальный округ"}, "совпадает с именительным падежом"),
        ({"head_patronymic": "А" * 101}, "более 100 символов"),
    ]
    for change, message in cases:
        response = client.post(url, data={**HASAN, **change})
        assert response.status_code == 400, change
        assert message in text(response), change
    world.session.expire_all()
    m = world.session.get(Municipality, world.foreign.id)
    assert (m.head_surname, m.name_genitive) == ("", "")  # nothing was saved
