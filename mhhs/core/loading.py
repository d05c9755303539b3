"""A page of rows' collections, each read in one statement made once per process and reused with the page's ids
(SQLAlchemy's statement cache hits; no loader options or cache keys built per request, as selectinload does), in
the relationship's own order, and set on the rows as loaded."""
from collections import defaultdict
from functools import cache

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from ..extensions import db


@cache
def _statement(model, name, joined):
    relationship = model.__mapper__.relationships[name]
    target = relationship.mapper.class_
    (_parent, key), = relationship.synchronize_pairs  # the column holding the parent row's id
    statement = select(target, key)
    if relationship.secondary is not None:
        statement = statement.join(relationship.secondary, relationship.secondaryjoin)
    statement = statement.where(key.in_(bindparam("ids", expanding=True)))
    if relationship.order_by:
        statement = statement.order_by(*relationship.order_by)
    return statement.options(*(joinedload(getattr(target, each)) for each in joined))


def load_collections(rows, model, **collections):
    """For each name=(names of its rows' many-to-one relationships to join, ...): the collection `name` of every row
    in one query, e.g. load_collections(rfcs, Rfc, defects=("found_in",), pending=())."""
    ids = [row.id for row in rows]
    for name, joined in collections.items():
        found = defaultdict(list)
        if ids:
            for item, parent_id in db.session.execute(_statement(model, name, tuple(joined)), {"ids": ids}):
                found[parent_id].append(item)
        for row in rows:
            set_committed_value(row, name, found.get(row.id, []))
