"""The organisation profile use case: admin only, checked, logged, one row."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import delete, func, select

from workflow import organisation_profile as profiles
from workflow.errors import InvalidInput, PermissionDenied
from workflow.models import OrganisationProfile, SecurityEvent

SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"/>'
CHANGE = profiles.ProfileChange(
    name="  Министерство образования Приморского края ",
    letterhead="МИНИСТЕРСТВО\r\n  ОБРАЗОВАНИЯ  \r\n\r\nПРИМОРСКОГО КРАЯ",
    address="ул. Светланская, 22", phone="(423) 240-00-00", email="edu@primorsky.ru",
    journal_index="23", numbering="yearly", public_base_url="https://letters.primorsky.ru/",
    timezone="Asia/Vladivostok",
)


def _update(world, change=CHANGE, actor=None):
    return profiles.update_profile(world.session, actor or world.admin, change,
                                   now=world.clock.tick(), address="192.0.2.1")


def test_the_admin_updates_the_profile_and_the_change_is_logged(world):
    record = _update(world)
    world.session.flush()
    assert record.numbering == "yearly"
    assert record.letterhead == "МИНИСТЕРСТВО\nОБРАЗОВАНИЯ\nПРИМОРСКОГО КРАЯ"
    assert record.name == "Министерство образования Приморского края"
    assert record.public_base_url == "https://letters.primorsky.ru"
    assert world.session.scalar(select(func.count(OrganisationProfile.id))) == 1
    event = world.session.scalars(select(SecurityEvent)
                                  .where(SecurityEvent.action == "letters.profile.update")).one()
    assert event.user_id == world.admin.id and event.address == "192.0.2.1"
    assert event.detail == "index=23 numbering=yearly"


def test_the_first_save_creates_the_profile(world):
    world.session.execute(delete(OrganisationProfile))
    assert profiles.find_profile(world.session) is None
    _update(world)
    world.session.flush()
    assert profiles.find_profile(world.session).journal_index == "23"


def test_the_emblem_is_kept_replaced_or_removed(world):
    assert _update(world, dataclasses.replace(CHANGE, new_emblem=SVG)).emblem_svg == SVG
    assert _update(world).emblem_svg == SVG  # no upload: the emblem stays
    assert _update(world, dataclasses.replace(CHANGE, remove_emblem=True)).emblem_svg is None


@pytest.mark.parametrize("who", ["reviewer", "signatory", "editor"])
def test_only_the_admin_changes_the_profile(world, who):
    with pytest.raises(PermissionDenied):
        _update(world, actor=getattr(world, who))


def test_an_inactive_admin_is_refused(world):
    world.admin.active = False
    with pytest.raises(PermissionDenied):
        _update(world)


@pytest.mark.parametrize("field, value", [
    ("numbering", "monthly"),
    ("journal_index", "23/1"),
    ("journal_index", " "),
    ("timezone", "Mars/Olympus"),
    ("name", ""),
    ("phone", "+7\u202e423"),
    ("address", "x" * 301),
])
def test_bad_values_are_refused_with_the_field_named(world, field, value):
    before = profiles.find_profile(world.session)
    kept = (before.name, before.numbering, before.phone, before.address)
    with pytest.raises(InvalidInput) as refused:
        _update(world, dataclasses.replace(CHANGE, **{field: value}))
    assert refused.value.field == field
    after = profiles.find_profile(world.session)  # checked before the row is touched
    assert (after.name, after.numbering, after.phone, after.address) == kept
