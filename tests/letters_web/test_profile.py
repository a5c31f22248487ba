"""The organisation profile printed on letters, and the emblem upload checks."""

from __future__ import annotations

import io

import pytest

from web.upload_checks import EmblemRejected, check_emblem_svg
from workflow.models import OrganisationProfile

GOOD_SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
            b'viewBox="0 0 10 12"><defs><path id="p" d="M0 0h10v12H0z"/></defs>'
            b'<use xlink:href="#p" fill="#1f4e79"/></svg>')


def form(**overrides):
    data = {
        "name": "Министерство образования Приморского края",
        "letterhead": "МИНИСТЕРСТВО\r\nОБРАЗОВАНИЯ\r\nПРИМОРСКОГО КРАЯ",
        "address": "ул. Светланская, 22, г. Владивосток, 690110",
        "phone": "(423) 240-28-04", "email": "education2006@primorsky.ru",
        "journal_index": "23", "numbering": "yearly",
        "public_base_url": "https://letters.primorsky.ru/", "timezone": "Asia/Vladivostok",
    }
    data.update(overrides)
    return data


def profile(world):
    from sqlalchemy.orm import Session

    with Session(bind=world.session.get_bind()) as s:
        return s.query(OrganisationProfile).one()


def test_admin_edits_the_profile_and_uploads_an_emblem(world, auth, client):
    auth.login(world.admin)
    assert client.get("/letters/profile").status_code == 200
    response = client.post("/letters/profile", content_type="multipart/form-data",
                           data=form(emblem=(io.BytesIO(GOOD_SVG), "gerb.svg")),
                           follow_redirects=True)
    assert "Реквизиты бланка сохранены" in response.get_data(as_text=True)
    row = profile(world)
    assert row.numbering == "yearly"
    assert row.public_base_url == "https://letters.primorsky.ru"
    assert row.letterhead == "МИНИСТЕРСТВО\nОБРАЗОВАНИЯ\nПРИМОРСКОГО КРАЯ"
    assert row.emblem_svg.startswith("<svg")


@pytest.mark.parametrize("svg, message", [
    (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "<script>"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "onload"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><image href="https://evil.example/x.png"/></svg>',
     "внешний ресурс"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill:url(http://evil/x)"/></svg>',
     "внешний ресурс"),
    (b'<!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>',
     "DOCTYPE"),
    (b'<html><body/></html>', "не <svg>"),
    (b'not xml at all', "ошибка разбора"),
    (b'<svg xmlns="http://www.w3.org/2000/svg">' + b"<g/>" * 60_000 + b"</svg>", "200 КБ"),
])
def test_unsafe_or_invalid_emblems_are_refused(svg, message):
    with pytest.raises(EmblemRejected, match=message):
        check_emblem_svg(svg)


def test_emblem_with_a_script_is_refused_on_the_screen(world, auth, client):
    auth.login(world.admin)
    bad = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    response = client.post("/letters/profile", content_type="multipart/form-data",
                           data=form(emblem=(io.BytesIO(bad), "gerb.svg")))
    assert response.status_code == 400
    assert "недопустимый элемент &lt;script&gt;" in response.get_data(as_text=True)
    row = profile(world)
    assert row.emblem_svg is None and row.numbering == "continuous"  # nothing was saved


def test_profile_validates_fields(world, auth, client):
    auth.login(world.admin)
    response = client.post("/letters/profile", data=form(journal_index="23/1",
                                                         public_base_url="javascript:alert(1)"))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "без «/» и пробелов" in html and "https://letters.example.ru" in html


@pytest.mark.parametrize("who", ["reviewer", "signatory", "editor"])
def test_profile_is_for_the_admin_only(world, auth, client, who):
    auth.login(getattr(world, who))
    assert client.get("/letters/profile").status_code == 403
    assert client.post("/letters/profile", data=form()).status_code == 403
