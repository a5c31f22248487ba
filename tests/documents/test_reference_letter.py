"""The demo journal's first letter, as the seed registers and the pipeline renders it, holds
every requisite of the real letter 23/6666 (the reference text, extracted from its PDF)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pdfplumber
from sqlalchemy import select

from documents.issue import issue_demo_certificate, render_with_pin
from workflow.db import make_engine, make_session_factory
from workflow.demo.seed import seed_demo
from workflow.models import Base, Letter, User

REFERENCE = Path(__file__).parent / "data" / "reference_23_6666.txt"


def _words(text: str) -> list[str]:
    text = text.replace("*", " ").replace("–", "-").replace("\u00a0", " ")
    return re.findall(r"[\w@./()«»:;,!№-]+", text)


def _is_subsequence(needle: list[str], haystack: list[str]) -> bool:
    it = iter(haystack)
    return all(any(word == candidate for candidate in it) for word in needle)


class _App:
    """What documents.issue needs of an application: config and extensions."""

    def __init__(self, factory, pki_dir):
        self.config = {"PKI_DIR": str(pki_dir)}
        self.extensions = {"session_factory": factory}


def test_the_seeded_circular_renders_every_requisite_of_the_reference(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'demo.db'}")
    Base.metadata.create_all(engine)
    factory = make_session_factory(engine)
    app = _App(factory, tmp_path / "pki")
    pin = "13572468"

    def issue(owner: str, chosen: str) -> bytes:
        return issue_demo_certificate(app.config, owner_name=owner,
                                      organisation="Министерство образования", pin=chosen)

    with factory() as session:
        seed_demo(session, password="demo-password-2026", signing_pin=pin,
                  issue_certificate=issue)
        session.commit()
        circular_id = session.scalar(select(Letter.id).where(Letter.number == "23/6666"))
        signatory_id = session.scalar(select(User.id).where(User.login == "signatory"))
    assert render_with_pin(app, circular_id, signatory_id, pin)
    with factory() as session:
        pdf = session.get(Letter, circular_id).pdf
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        rendered = _words("\n".join(page.extract_text() for page in doc.pages))

    blocks = [b for b in re.split(r"\n\s*\n", REFERENCE.read_text(encoding="utf-8")) if b.strip()]
    # The reference is printed on a paper blank whose "На № _____ от _____" stays empty: our
    # letters print that requisite only when they answer a letter, and a circular answers none.
    blank_reference = [b for b in blocks if b.strip().startswith("На №")]
    assert len(blank_reference) == 1
    blocks = [b for b in blocks if b not in blank_reference]
    missing = [b.strip()[:80] for b in blocks if not _is_subsequence(_words(b), rendered)]
    assert len(blocks) >= 14
    assert missing == []
    assert "На №" not in " ".join(rendered)
    # The circular carries its request and deadline (the campaign's), as the original does.
    request = " ".join(rendered[rendered.index("Просим"):])
    assert request.startswith("Просим в срок до 30.09.2022 направить в министерство образования "
                              "Приморского края муниципальные программы профориентационной работы")
    engine.dispose()
