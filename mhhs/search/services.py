"""What a user's search finds (only what they may see), and the index's rebuild from the objects."""
import re
from functools import lru_cache

from sqlalchemy import and_, bindparam, literal, or_, select, union_all
from sqlalchemy.orm import joinedload, selectinload

from ..certificates.models import Certificate
from ..certificates.permissions import visible_certificates
from ..certificates.services import index_for_search as index_certificate
from ..core import search
from ..core.search import RESULT_LIMIT, SearchDocument
from ..core.viewer import viewer_of
from ..directory.models import System
from ..directory.services import index_system
from ..extensions import db
from ..outages.models import Outage
from ..outages.services import index_for_search as index_outage
from ..rfcs.models import Defect, Rfc
from ..rfcs.permissions import visible_clause
from ..rfcs.services import index_for_search as index_rfc

LABELS = {"rfc": "RFC", "defect": "Defect", "outage": "Outage", "certificate": "Certificate", "system": "System"}
RFC_NUMBER = re.compile(r"^(?:rfc[-\s]?)?0*(\d{1,9})$", re.IGNORECASE)


def visible(user):
    """The SQL condition for the documents this user (or core.viewer.Viewer) may see: each kind by its own domain's
    rule."""
    rfcs = select(Rfc.id).where(visible_clause(user))
    return or_(
        and_(SearchDocument.kind == "rfc", SearchDocument.object_id.in_(rfcs)),
        and_(SearchDocument.kind == "defect", SearchDocument.parent_id.in_(rfcs)),
        SearchDocument.kind.in_(("outage", "system")),  # the outage log and the systems are everyone's (SPEC §2)
        and_(SearchDocument.kind == "certificate",
             SearchDocument.object_id.in_(visible_certificates(select(Certificate.id), user))),
    )


def find(user, query):
    """[(document, rank)] best first, at most RESULT_LIMIT, or None when the query has no word to look for."""
    dialect = db.engine.dialect.name
    match = search.match_text(query, dialect)
    if match is None:
        return None
    number = RFC_NUMBER.match(query.strip())  # "RFC-7", "rfc 000007" or "7": that RFC first, whatever the words
    params = {"match": match, **({"number": int(number.group(1))} if number else {})}
    return db.session.scalars(_finding(viewer_of(user), dialect, bool(number)), params).unique().all()


@lru_cache(maxsize=32)
def _finding(viewer, dialect, numbered):
    """The search's statement for a viewer (what their visibility rules read), with the words (and an RFC's number)
    as bound parameters: built and keyed once per viewer, not at every keystroke."""
    hits = search.matching(dialect)
    if numbered:
        hits = union_all(hits, select(SearchDocument.id.label("id"), literal(-1e9).label("rank"))
                         .where(SearchDocument.kind == "rfc", SearchDocument.object_id == bindparam("number")))
    hits = hits.subquery()
    return (select(SearchDocument).join(hits, hits.c.id == SearchDocument.id).where(visible(viewer))
            .order_by(hits.c.rank, SearchDocument.id).limit(RESULT_LIMIT + 1))


def rebuild():
    """Empties the index and fills it again from every RFC, defect, outage, certificate and system; returns the
    number of documents."""
    search.clear()
    for rfc in db.session.scalars(select(Rfc).options(joinedload(Rfc.system), joinedload(Rfc.organisation),
                                                      selectinload(Rfc.defects).joinedload(Defect.found_in))):
        index_rfc(rfc, rfc.system, rfc.organisation)
    for outage in db.session.scalars(select(Outage).options(selectinload(Outage.systems))):
        index_outage(outage)
    for certificate in db.session.scalars(select(Certificate)):
        index_certificate(certificate)
    for system in db.session.scalars(select(System)):
        index_system(system)
    db.session.flush()
    search.optimise()
    count = db.session.query(SearchDocument).count()
    db.session.commit()
    return count
