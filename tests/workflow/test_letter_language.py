"""Letters speak correct Russian: the addressee and the municipality in the case the sentence
needs, no doubled words, whole requirement texts, a bounded return letter, the circular's
request, local dates, and the organisation's name from its profile."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from tests.factories import assess_all, new_programme, programme_in
from tests.workflow.support import letters_of
from workflow import letter_drafting, letter_texts, operations, review
from workflow.models import Letter, OrganisationProfile
from workflow.states import LetterKind, ProgrammeState, RemarkVisibility


def _khasan(world):
    m = world.foreign
    m.name_genitive = "Хасанского муниципального округа"
    m.head_position_dative = ("Начальнику управления образования администрации Хасанского "
                              "муниципального округа")
    m.head_surname, m.head_first_name, m.head_patronymic = "Васильева", "Елена", "Александровна"
    world.session.flush()
    return m


def test_addressee_is_the_heads_position_and_name_in_the_dative(world):
    m = _khasan(world)
    assert letter_texts.addressee_for(m).splitlines() == [
        "Начальнику управления образования администрации Хасанского муниципального округа",
        "Е.А. Васильевой",
    ]
    assert letter_texts.salutation_for(m) == "Уважаемая Елена Александровна!"


def test_a_male_head_is_declined_as_a_man(world):
    m = _khasan(world)
    m.head_surname, m.head_first_name, m.head_patronymic = "Бондарь", "Максим", "Юрьевич"
    assert letter_texts.addressee_for(m).splitlines()[1] == "М.Ю. Бондарю"
    assert letter_texts.salutation_for(m) == "Уважаемый Максим Юрьевич!"
    # A woman with a surname that does not decline for women keeps it.
    m.head_first_name, m.head_patronymic = "Оксана", "Юрьевна"
    assert letter_texts.addressee_for(m).splitlines()[1] == "О.Ю. Бондарь"


def test_without_a_head_the_letter_goes_to_the_authority_itself(world):
    # ГОСТ Р 7.0.97: an organisation as the addressee is named in the nominative.
    m = world.foreign
    assert letter_texts.addressee_for(m) == "Управление образования Хасанского муниципального округа"
    assert letter_texts.salutation_for(m) == "Уважаемые коллеги!"
    m.authority_name = ""
    assert letter_texts.addressee_for(m) == (
        "Руководителю муниципального органа, осуществляющего управление в сфере образования, "
        "муниципального образования «Хасанский муниципальный округ»")


def test_the_approval_letter_comes_from_the_profile_and_names_no_programme_twice(world):
    w = world
    profile = w.session.scalar(select(OrganisationProfile))
    profile.name = "Департамент образования и науки Приморского края"
    w.session.flush()
    p = programme_in(w, ProgrammeState.APPROVED,
                     title="Программа профориентационной работы в Артёмовском городском округе")
    (letter,) = letters_of(w.session, p.id)
    first = letter.body.split("\n\n")[0]
    assert first == (
        "Департамент образования и науки Приморского края сообщает, что муниципальная программа "
        "профориентационной работы в Артёмовском городском округе на 2026–2028 годы, направленная "
        "письмом от 20.02.2026 № 01-12/345, рассмотрена и согласована."
    )
    assert "Министерство" not in letter.body
    assert letter.addressee.splitlines()[-1] == "И.П. Ивановой"
    assert letter.salutation == "Уважаемая Ирина Петровна!"


def test_a_title_that_is_not_a_programme_noun_is_quoted(world):
    p = programme_in(world, ProgrammeState.APPROVED, title="Шаг в профессию")
    (letter,) = letters_of(world.session, p.id)
    assert "муниципальная программа «Шаг в профессию» на 2026–2028 годы" in letter.body
    world.campaign.title = "Профориентация"
    assert letter_texts.campaign_programmes(world.campaign) == "муниципальные программы «Профориентация»"


def test_reminders_name_the_municipality_in_the_genitive_on_the_local_date(world):
    w = world
    _khasan(w)
    # 30 November, 15:13 UTC is already 1 December in Vladivostok.
    drafted = letter_drafting.draft_reminders(w.session, w.campaign, w.reviewer,
                                              now=datetime(2026, 11, 30, 15, 13, tzinfo=UTC))
    by_municipality = {letter.municipality_id: letter for letter in drafted}
    khasan = by_municipality[w.foreign.id].body
    assert ("По состоянию на 01.12.2026 программа Хасанского муниципального округа в "
            "министерство образования Приморского края не поступила.") in khasan
    # The campaign "Программы профориентации": no "программ «Программы …»".
    assert ("Напоминаем, что письмом от 15.07.2022 № 23/6666 установлен срок направления "
            "муниципальных программ профориентации — до 01.06.2026.") in khasan


def test_the_genitive_fallback_needs_no_declension(world):
    w = world
    w.own.name_genitive = ""
    assert letter_texts.municipality_genitive(w.own) == (
        "муниципального образования «Артёмовский городской округ»")


def test_the_return_letter_quotes_a_long_requirement_whole(world):
    w = world
    requirement = w.campaign.requirements[0]
    requirement.text = (
        "Использовать возможности межведомственного взаимодействия с учреждениями образования, "
        "культуры, спорта, здравоохранения, правоохранительных органов и др. для увеличения "
        "охвата детей дополнительным образованием, в том числе детей с ОВЗ, детей с "
        "индивидуальными образовательными потребностями"
    )
    w.session.flush()
    programme_in(w, ProgrammeState.RETURNED)
    letter = w.session.scalars(select(Letter).where(Letter.kind == LetterKind.RETURN)).one()
    assert f"По требованию № 1 («{requirement.text}»):" in letter.body.split("\n\n")


def test_an_overlong_requirement_is_cut_where_a_phrase_ends():
    text = ("Первая часть требования, " * 30).strip().rstrip(",")
    cut = letter_texts.cut_at_phrase(text, letter_texts.REQUIREMENT_TEXT_LIMIT)
    assert len(cut) <= letter_texts.REQUIREMENT_TEXT_LIMIT + 1
    assert cut.endswith("требования…")


def test_the_return_letter_is_bounded_whatever_the_remarks(world):
    """150 remarks of 5,000 characters made a 750k-character letter (10.5 s to render)."""
    w = world
    p = programme_in(w, ProgrammeState.IN_REVIEW)
    words = ("Замечание по существу раздела требует уточнения показателей и сроков "
             * 80)[:5000]
    for i in range(150):
        review.add_remark(w.session, p, w.reviewer,
                          requirement_id=w.campaign.requirements[i % 3].id,
                          body=f"{i + 1}. {words}"[:5000], visibility=RemarkVisibility.EXTERNAL,
                          now=w.clock.tick())
    operations.return_for_revision(w.session, p, w.reviewer, now=w.clock.tick(),
                                   reason="Программа не отвечает требованиям")
    (letter,) = letters_of(w.session, p.id)
    paragraphs = letter.body.split("\n\n")
    listed = [x for x in paragraphs if x.startswith("– ")]
    assert len(listed) == letter_texts.REMARKS_IN_FULL
    assert all(len(x) <= letter_texts.REMARK_TEXT_LIMIT + 3 for x in listed)
    assert all(x.endswith("сроков…") or x.endswith("…") for x in listed)
    assert not any(x.endswith(" …") for x in listed)  # cut at a word, not after a space
    assert (f"И ещё 130 замечаний — полный перечень в системе согласования: "
            f"http://localhost/programmes/{p.id}") in paragraphs
    assert len(letter.body) < 20_000
    assert len(letter.body) < letter_drafting.MAX_BODY  # still editable as a draft


def test_plural_of_the_rest_follows_russian_rules():
    from workflow.names import plural_ru

    forms = [plural_ru(n, "замечание", "замечания", "замечаний") for n in (1, 2, 5, 11, 21, 22, 112)]
    assert forms == ["замечание", "замечания", "замечаний", "замечаний", "замечание",
                     "замечания", "замечаний"]


def test_the_circular_carries_its_request_and_deadline_and_answers_nothing(world):
    w = world
    letter = letter_drafting.draft_circular(w.session, w.campaign, w.reviewer, now=w.clock.tick(),
                                            heading="О программах", body="Первый абзац.\n\nВторой абзац.")
    paragraphs = letter.body.split("\n\n")
    assert paragraphs[:2] == ["Первый абзац.", "Второй абзац."]
    assert paragraphs[-1] == (
        "Просим в срок до 01.06.2026 направить в министерство образования Приморского края "
        "муниципальные программы профориентации, разработанные (скорректированные) "
        "с учётом указанных требований, через систему согласования муниципальных программ "
        "(http://localhost)."
    )
    assert (letter.reply_to_number, letter.reply_to_date) == (None, None)


def test_the_decision_letter_refers_to_the_municipalitys_letter(world):
    p = new_programme(world)
    operations.submit_programme(world.session, p, world.editor, now=world.clock.tick())
    operations.start_review(world.session, p, world.reviewer, now=world.clock.tick())
    assess_all(world, p)
    operations.approve_programme(world.session, p, world.reviewer, now=world.clock.tick())
    (letter,) = letters_of(world.session, p.id)
    assert letter.reply_to_number == "01-12/345"
