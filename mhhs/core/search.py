"""The search index: one row per findable object (its kind, id, headline and further words), kept by the services
that write those objects (`put`, `drop`, `put_children`), read through the database's own full-text search.

SQLite: an FTS5 table `search_index` over `search_documents` (external content, kept by triggers on that table).
PostgreSQL: a generated `tsvector` column `search_documents.document` with a GIN index.
Both come from the migration; `flask search rebuild` refills the documents from the objects."""
import re
from functools import lru_cache

from sqlalchemy import (
    Column,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    bindparam,
    delete,
    func,
    literal_column,
    select,
    text,
)

from ..extensions import db
from . import registry

RESULT_LIMIT = 50
WORD = re.compile(r"[^\W_]+")  # what both engines' tokenizers keep: letters and digits (SQLite unicode61;
# on PostgreSQL the generated column turns everything else into spaces before to_tsvector)
ENGINE_OWNED_TABLES = ("search_index",)  # FTS5's virtual table and its shadow tables (search_index_data, …)
ENGINE_OWNED_COLUMNS = {("search_documents", "document")}  # PostgreSQL's generated tsvector
ENGINE_OWNED_INDEXES = ("ix_search_documents_document",)  # and its GIN index


class SearchDocument(db.Model):
    __tablename__ = "search_documents"
    id = Column(Integer, primary_key=True)
    kind = Column(String(20), nullable=False)
    object_id = Column(Integer, nullable=False)
    # The object this one belongs to (a defect's RFC): its visibility is the parent's.
    parent_id = Column(Integer)
    title = Column(String(400), nullable=False, default="")
    body = Column(Text, nullable=False, default="")
    __table_args__ = (UniqueConstraint("kind", "object_id", name="uq_search_documents_kind_object"),
                      Index("ix_search_documents_kind_parent", "kind", "parent_id"))


def included_in_autogenerate(name, type_, parent_names):
    """Alembic's include_name: the full-text structures belong to the engine, not to the models."""
    if type_ == "table":
        return not name.startswith(ENGINE_OWNED_TABLES)
    if type_ == "column":
        return (parent_names.get("table_name"), name) not in ENGINE_OWNED_COLUMNS
    if type_ == "index":
        return name not in ENGINE_OWNED_INDEXES
    return True


def words(*parts):
    """The non-empty parts joined by spaces (what a headline or the further words are made of)."""
    return " ".join(str(p) for p in parts if p)


def put(kind, object_id, title, *more, parent_id=None):
    """Adds or refreshes one object's document, in the caller's transaction. title: the headline's parts."""
    title, body = words(*title)[:400], words(*more)
    document = db.session.scalar(select(SearchDocument).where(SearchDocument.kind == kind,
                                                              SearchDocument.object_id == object_id))
    if document is None:
        db.session.add(SearchDocument(kind=kind, object_id=object_id, parent_id=parent_id, title=title, body=body))
    elif (document.title, document.body, document.parent_id) != (title, body, parent_id):
        document.title, document.body, document.parent_id = title, body, parent_id


def drop(kind, object_ids):
    db.session.execute(delete(SearchDocument).where(SearchDocument.kind == kind,
                                                    SearchDocument.object_id.in_(list(object_ids))))


def put_children(kind, parent_id, rows):
    """Replaces the documents of kind belonging to parent_id by rows [(object_id, title's parts, *words)]."""
    db.session.execute(delete(SearchDocument).where(SearchDocument.kind == kind, SearchDocument.parent_id == parent_id))
    db.session.flush()
    for object_id, title, *more in rows:
        db.session.add(SearchDocument(kind=kind, object_id=object_id, parent_id=parent_id, title=words(*title)[:400],
                                      body=words(*more)))


# Functions (kind, object_id) that refresh the documents naming that object (an RFC names its system): a service
# renaming a system or an organisation calls `renamed`; create_app registers each domain's function under this hook.
RENAMED = "search.renamed"


def renamed(kind, object_id):
    for refresh in registry.functions(RENAMED):
        refresh(kind, object_id)


def clear():
    """Empties the index (before a rebuild)."""
    db.session.execute(delete(SearchDocument))


def optimise():
    """After a rebuild: SQLite merges the FTS5 index's segments (PostgreSQL's GIN index needs nothing)."""
    if db.engine.dialect.name == "sqlite":
        db.session.execute(text("INSERT INTO search_index(search_index) VALUES ('optimize')"))


def terms(query):
    """The user's words as phrases of tokens (what they typed between spaces), the last token of each a prefix."""
    phrases = [WORD.findall(word.lower()) for word in (query or "").split()]
    return [p for p in phrases if p][:8]


def match_text(query, dialect):
    """What the database's full-text search is asked for the user's words (every phrase, the last token of each a
    prefix), on this dialect; None when they hold no word to look for."""
    phrases = terms(query)
    if not phrases:
        return None
    if dialect == "postgresql":
        return " & ".join(" <-> ".join(p[:-1] + [p[-1] + ":*"]) for p in phrases)
    return " ".join('"' + " ".join(p) + '"*' for p in phrases)


@lru_cache(maxsize=4)
def matching(dialect):
    """A select of (document id, rank) for the documents matching the bound parameter `match` (match_text), lower
    rank first: one statement per dialect, so SQLAlchemy keys it once."""
    match = bindparam("match")
    if dialect == "postgresql":
        ts = func.to_tsquery("simple", match)
        document = literal_column("search_documents.document")
        return select(SearchDocument.id.label("id"), (-func.ts_rank(document, ts)).label("rank")) \
            .where(document.op("@@")(ts))
    return select(literal_column("search_index.rowid").label("id"), literal_column("search_index.rank").label("rank")) \
        .select_from(text("search_index")).where(literal_column("search_index").op("MATCH")(match))
