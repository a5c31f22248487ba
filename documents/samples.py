"""The reference circular of 15.07.2022 № 23/6666, as plain values.

Reproduced requisite for requisite from shared/reference/000_a6fc44f1d52e4fe5.txt. The demo seed
reuses these texts: the seven bulleted demands are the requirements every municipal programme
is reviewed against. Wording (including the original's own slips) is kept verbatim.
"""

from __future__ import annotations

from datetime import date

from documents.context import LetterContext, Organisation
from workflow.demo import circular

PRIMORYE_MINISTRY = Organisation(
    name="Министерство образования Приморского края",
    letterhead_lines=("Министерство", "образования", "Приморского края"),
    address="ул. Светланская, 22, г. Владивосток, 690110",
    phone="(423) 240-28-04",
    email="education2006@primorsky.ru",
)

# One source for the circular's texts: the demo data in workflow.demo.circular.
CIRCULAR_23_6666_HEADING = circular.HEADING
CIRCULAR_23_6666_INTRO: tuple[str, ...] = circular.INTRO_PARAGRAPHS
CIRCULAR_23_6666_REQUIREMENTS: tuple[str, ...] = circular.REQUIREMENTS
CIRCULAR_23_6666_PARAGRAPHS: tuple[str, ...] = circular.BODY_PARAGRAPHS


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
        timezone="Asia/Vladivostok",
    )
