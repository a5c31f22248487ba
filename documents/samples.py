"""The reference circular of 15.07.2022 № 23/6666, as plain values.

Reproduced requisite for requisite from shared/reference/000_a6fc44f1d52e4fe5.txt. The demo seed
reuses these texts: the seven bulleted demands are the requirements every municipal programme
is reviewed against. Wording (including the original's own slips) is kept verbatim.
"""

from __future__ import annotations

from datetime import date

from documents.context import LetterContext, Organisation

PRIMORYE_MINISTRY = Organisation(
    name="Министерство образования Приморского края",
    letterhead_lines=("Министерство", "образования", "Приморского края"),
    address="ул. Светланская, 22, г. Владивосток, 690110",
    phone="(423) 240-28-04",
    email="education2006@primorsky.ru",
)

CIRCULAR_23_6666_HEADING = "О профориентационной работе с обучающимися"

CIRCULAR_23_6666_INTRO: tuple[str, ...] = (
    "В целях исполнения Указа Президента Российской Федерации от 21.07.2020 № 474 «О "
    "национальных целях развития Российской Федерации на период до 2030 года» и внедрения "
    "обновленных ФГОС и в рамках проведения мероприятий по совершенствованию системы работы "
    "по самосовершенствованию и профессиональной ориентации обучающихся министерство "
    "образования Приморского края обращает ваше внимание на следующее.",
    "В целях повышения качества образования выпускников, способных сделать осознанный выбор "
    "сферы будущей профессиональной деятельности, необходимо организовать работу по содействию "
    "в становлении профессионального самоопределения, помощи в конкретном выборе, связанной с "
    "определением конкретной профессии обучающихся в Приморском крае, с учетом следующих "
    "требований:",
)

# The seven demands without the list dash and closing punctuation, first letter capitalised,
# so they read as standalone requirement titles.
CIRCULAR_23_6666_REQUIREMENTS: tuple[str, ...] = (
    "Разработать (скорректировать) муниципальные программы по профориентационной работе, в "
    "том числе программы дополнительного образования предметной направленности, программы, "
    "реализованные через сетевые формы взаимодействия или с привлечением возможностей "
    "государственно-частного партнерства",
    "Проводить работу по профориентации обучающихся во взаимодействии с организациями среднего "
    "и высшего профессионального образования",
    "Использовать возможности межведомственного взаимодействия с учреждениями образования, "
    "культуры, спорта, здравоохранения, правоохранительных органов и др. для увеличения охвата "
    "детей дополнительным образованием, в том числе детей с ОВЗ, детей с индивидуальными "
    "образовательными потребностями",
    "Расширять сотрудничество с предприятиями, организациями различных отраслей экономики и "
    "обеспечивать возможности получения информации о потребности городских предприятий в "
    "кадрах",
    "Организовать работу по изучению и распространению лучших практик педагогического "
    "сопровождения профессионального выбора в целях повышения уровня компетентности "
    "педагогических работников, и информированности родителей (законных представителей) по "
    "вопросам профориентации",
    "Проводить работу по формированию у обучающихся позитивного отношения к "
    "профессионально-трудовой деятельности",
    "Проводить мероприятия для родителей (законных представителей) по вопросам "
    "профессиональной ориентации обучающихся",
)


def _as_list_items(items: tuple[str, ...]) -> tuple[str, ...]:
    # In the letter the demands are dash items in lower case, ";" between and "." at the end.
    last = len(items) - 1
    return tuple(
        f"- {text[0].lower()}{text[1:]}{'.' if i == last else ';'}" for i, text in enumerate(items)
    )


CIRCULAR_23_6666_PARAGRAPHS: tuple[str, ...] = CIRCULAR_23_6666_INTRO + _as_list_items(
    CIRCULAR_23_6666_REQUIREMENTS
)


def circular_23_6666_context(
    *,
    verification_url: str | None = None,
    verification_code: str | None = None,
    organisation: Organisation = PRIMORYE_MINISTRY,
) -> LetterContext:
    return LetterContext(
        organisation=organisation,
        date=date(2022, 7, 15),
        number="23/6666",
        addressee_lines=(
            "Руководителям муниципальных",
            "органов управления",
            "образования",
        ),
        heading=CIRCULAR_23_6666_HEADING,
        salutation="Уважаемые коллеги!",
        body_paragraphs=CIRCULAR_23_6666_PARAGRAPHS,
        signatory_position_lines=("Заместитель министра", "образования Приморского края"),
        signatory_name="М.В. Шкуратская",
        # The extract carries no executor mark; this one is a demo placeholder.
        executor_name="Петрова Ольга Викторовна",
        executor_phone="(423) 240-28-04",
        verification_url=verification_url,
        verification_code=verification_code,
        title="Письмо от 15.07.2022 № 23/6666 «О профориентационной работе с обучающимися»",
        author="Министерство образования Приморского края",
    )
