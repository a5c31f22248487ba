"""Full-text search over programme titles, working section texts and remarks, with Russian
morphology: "программы" finds "программа".

The searchable texts live in `search_document` (workflow/models/search.py), written by the
operations that write the texts, in their transaction: `reindex_programme` after a programme
is created or its draft saved (title and sections), `index_remark` after a remark is added.
PostgreSQL matches `to_tsvector('russian', body) @@ plainto_tsquery('russian', :q)` over a GIN
index; SQLite matches the FTS5 table over the snowball stems of the same words (computed here,
for the index and for the query alike). Snippets are cut and highlighted here, the same on
both databases: the text is escaped first, then the matching words wrapped in <mark>.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer
from markupsafe import Markup, escape
from sqlalchemy import Float, Integer, column, delete, func, insert, select, text
from sqlalchemy.orm import Session

from .i18n import N_
from .models import Municipality, Programme, ProgrammeSection, Remark, SearchDocument
from .models.search import FTS_TABLE, RUSSIAN

KINDS = {"title": N_("Название программы"), "section": N_("Раздел программы"), "remark": N_("Замечание")}
MAX_QUERY = 200
LIMIT = 50
_WORD = re.compile(r"\w+", re.UNICODE)
_CYRILLIC = re.compile(r"[а-я]")


@lru_cache(maxsize=1)
def _stemmers():
    return snowballstemmer.stemmer("russian"), snowballstemmer.stemmer("english")


@lru_cache(maxsize=20000)
def stem(word: str) -> str:
    word = word.lower().replace("ё", "е")
    russian, english = _stemmers()
    return (russian if _CYRILLIC.search(word) else english).stemWord(word)


def stems_of(body: str) -> str:
    return " ".join(stem(w) for w in _WORD.findall(body or ""))


def _document(programme_id: int, kind: str, ref_id: int, body: str) -> dict:
    return {"programme_id": programme_id, "kind": kind, "ref_id": ref_id, "body": body,
            "stems": stems_of(body)}


def reindex_programme(session: Session, programme: Programme) -> None:
    """Title and working sections of `programme`, as they now are (call after a flush)."""
    session.execute(delete(SearchDocument).where(
        SearchDocument.programme_id == programme.id, SearchDocument.kind.in_(("title", "section"))))
    rows = [_document(programme.id, "title", programme.id, programme.title)]
    rows += [_document(programme.id, "section", s.id, s.text) for s in programme.sections
             if (s.text or "").strip()]
    session.execute(insert(SearchDocument), rows)


def forget_programme(session: Session, programme_id: int) -> None:
    """Drop every document of a programme that no longer exists (a deleted draft)."""
    session.execute(delete(SearchDocument).where(SearchDocument.programme_id == programme_id))


def index_remark(session: Session, remark: Remark) -> None:
    session.execute(delete(SearchDocument).where(SearchDocument.kind == "remark",
                                                 SearchDocument.ref_id == remark.id))
    session.execute(insert(SearchDocument),
                    [_document(remark.programme_id, "remark", remark.id, remark.body)])


def rebuild(connection) -> int:
    """Index every existing title, section and remark (the migration that adds the index, or
    a repair); returns the number of documents."""
    connection.execute(delete(SearchDocument))
    rows = [_document(pid, "title", pid, title)
            for pid, title in connection.execute(select(Programme.id, Programme.title))]
    rows += [_document(pid, "section", sid, body) for sid, pid, body in connection.execute(
        select(ProgrammeSection.id, ProgrammeSection.programme_id, ProgrammeSection.text))
        if (body or "").strip()]
    rows += [_document(pid, "remark", rid, body) for rid, pid, body in connection.execute(
        select(Remark.id, Remark.programme_id, Remark.body))]
    for start in range(0, len(rows), 1000):
        connection.execute(insert(SearchDocument), rows[start:start + 1000])
    return len(rows)


@dataclass(frozen=True)
class Hit:
    kind: str
    programme_id: int
    title: str
    municipality: str
    state: str
    snippet: Markup

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]


def snippet(body: str, wanted: set[str], *, width: int = 24) -> Markup:
    """About `width` words of `body` around its first matching word, escaped, with every
    matching word in <mark>."""
    words = list(_WORD.finditer(body))
    hits = [i for i, m in enumerate(words) if stem(m.group()) in wanted]
    if not words:
        return Markup("")
    first = hits[0] if hits else 0
    lo = max(0, first - width // 3)
    hi = min(len(words), lo + width)
    start = words[lo].start()
    end = words[hi - 1].end()
    marked = set(hits)
    parts = ["…" if start > 0 else ""]
    position = start
    for i in range(lo, hi):
        m = words[i]
        parts.append(str(escape(body[position:m.start()])))
        if i in marked:
            parts.append(f"<mark>{escape(m.group())}</mark>")
        else:
            parts.append(str(escape(m.group())))
        position = m.end()
    parts.append("…" if end < len(body) else "")
    return Markup("".join(parts))


def search(session: Session, query: str, *, limit: int = LIMIT) -> list[Hit]:
    query = " ".join((query or "").split())[:MAX_QUERY]
    wanted = {stem(w) for w in _WORD.findall(query)}
    if not wanted:
        return []
    columns = (SearchDocument.kind, SearchDocument.programme_id, SearchDocument.body,
               Programme.title, Municipality.name, Programme.state)
    base = (select(*columns)
            .join(Programme, Programme.id == SearchDocument.programme_id)
            .join(Municipality, Municipality.id == Programme.municipality_id))
    if session.get_bind().dialect.name == "postgresql":
        tsquery = func.plainto_tsquery(RUSSIAN, query)
        vector = func.to_tsvector(RUSSIAN, SearchDocument.body)
        stmt = (base.where(vector.op("@@")(tsquery))
                .order_by(func.ts_rank(vector, tsquery).desc(), SearchDocument.id))
    else:
        match = " ".join(f'"{s}"' for s in sorted(wanted))
        fts = text(f"SELECT rowid, rank FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :match") \
            .bindparams(match=match).columns(column("rowid", Integer), column("rank", Float)) \
            .subquery("fts")
        stmt = (base.join(fts, fts.c.rowid == SearchDocument.id)
                .order_by(fts.c.rank, SearchDocument.id))
    return [
        Hit(kind, pid, title, municipality, state, snippet(body, wanted))
        for kind, pid, body, title, municipality, state in session.execute(stmt.limit(limit))
    ]
