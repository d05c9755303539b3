"""One paginator for every list: keyset pages (the next and previous pages are found by the sort key of the rows
at the edges, so the last page costs what the first does, whatever the size of the list) and a count that stops at
COUNT_LIMIT instead of reading a whole large table on every page."""
import base64
import binascii
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from weakref import WeakKeyDictionary

from flask import current_app, request
from sqlalchemy import func, select, tuple_

from ..extensions import db

COUNT_LIMIT = 1000
CURSOR_ARGS = ("after", "before", "last", "page")  # what a page link replaces; the rest (filters) it keeps
SORT_ARGS = ("sort", "dir")  # what a column header's link replaces (a new order starts at its first page)


@dataclass
class Page:
    items: list
    total: int  # at most COUNT_LIMIT + 1: "more than COUNT_LIMIT"
    has_prev: bool = False
    has_next: bool = False
    prev_args: dict = field(default_factory=dict)
    next_args: dict = field(default_factory=dict)
    base_args: dict = field(default_factory=dict)

    @property
    def total_text(self):
        return f"more than {COUNT_LIMIT:,}" if self.total > COUNT_LIMIT else f"{self.total:,}"

    @property
    def several(self):
        return self.has_prev or self.has_next


@dataclass
class SortColumn:
    """One way to order a list: its sort columns (the last unique; a nullable one wrapped in coalesce), the
    direction it starts in, and key_of(item) giving an item's values of them (default: its attributes)."""
    order: list
    descending: bool = False
    key_of: object = None


@dataclass
class Sort:
    """The order a list is shown in, from the request's `sort` and `dir`: the column headers' links and aria-sort
    come from it, and paginate() pages through it."""
    columns: dict
    key: str
    descending: bool

    @property
    def column(self):
        return self.columns[self.key]

    def aria(self, key):
        """The header's aria-sort value: only the sorted column has one."""
        if key != self.key:
            return None
        return "descending" if self.descending else "ascending"

    def args(self, key):
        """The link of a column header: the sorted column turns round, another starts in its own direction."""
        descending = not self.descending if key == self.key else self.columns[key].descending
        return {"sort": key, "dir": "desc" if descending else "asc"}

    def base_args(self):
        return {k: v for k, v in link_args(request.args).items() if k not in CURSOR_ARGS + SORT_ARGS}


def sort_of(columns, default):
    """The Sort the request asks for among columns ({name: SortColumn}); anything else gives the default."""
    key = request.args.get("sort")
    key = key if key in columns else default
    direction = request.args.get("dir")
    descending = direction == "desc" if direction in ("asc", "desc") else columns[key].descending
    return Sort(columns, key, descending)


def paginate_sorted(statement, sort, per_page=None, counted=None, total=None):
    """A page of statement in the order the request chose (see sort_of)."""
    return paginate(statement, sort.column.order, sort.descending, per_page, sort.column.key_of, counted, total)


# The statements made from a list's statement (its count, its first page), kept as long as that statement is: a list
# whose statement is built once per process (the approval queue's) then makes them once, and SQLAlchemy, which keeps
# a statement's cache key on it, does not make their keys again at every request.
_made = WeakKeyDictionary()


def _made_from(statement, what, make):
    made = _made.setdefault(statement, {})
    if what not in made:
        made[what] = make()
    return made[what]


def count_of(statement):
    """How many rows the list `statement` has, counted up to COUNT_LIMIT + 1 (the pager's "more than")."""
    return db.session.scalar(_made_from(statement, "count", lambda: select(func.count()).select_from(
        statement.order_by(None).limit(COUNT_LIMIT + 1).subquery())))


def query_key():
    """The request's query string and the page size, as a kept copy's key: everything a list reads of the request
    (its filters, the cursor, `last`), its links carry on, and how many rows a page holds."""
    return tuple(sorted(request.args.items(multi=True))), current_app.config["PER_PAGE"]


def link_args(args):
    """A query string's parameters that a link may carry on: not the names url_for reads itself (_method,
    _external, _anchor, _scheme, endpoint), which a visitor could otherwise type to break the page."""
    return {k: v for k, v in args.items() if not k.startswith("_") and k != "endpoint"}


def _encode(values):
    plain = [v.isoformat() if isinstance(v, (datetime, date)) else v for v in values]
    return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode().rstrip("=")


def _decode(name, order):
    """The sort-key values in request arg `name`, or None when absent or not a cursor of this list."""
    raw = request.args.get(name, "")
    if not raw or len(raw) > 1000:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
        if not isinstance(values, list) or len(values) != len(order):
            return None
        typed = []
        for column, value in zip(order, values):
            kind = column.type.python_type
            if value is None or (kind is datetime and not isinstance(value, str)):
                return None
            typed.append(datetime.fromisoformat(value) if kind is datetime else kind(value))
        return typed
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, NotImplementedError):
        return None


def _keys_of(statement, order):
    """The statement's rows as their sort keys alone (the last unique, so as many rows): counting them reads an
    index, not every column of up to COUNT_LIMIT rows. Its FROM stays the statement's, joins included."""
    return statement.with_only_columns(*order, maintain_column_froms=True)


def paginate(statement, order, descending=False, per_page=None, key_of=None, counted=None, total=None):
    """A page of the list `statement` (a select without ORDER BY), sorted by the columns `order` (the last one
    unique; all ascending, or all descending). key_of(item) gives an item's values of `order` (default: its
    attributes of those names). `counted`, when given, is a select of the same rows that is cheaper to count (one
    without a join no filter needs); `total`, when given, is count_of(statement) as the caller keeps it (behind a
    change counter)."""
    per_page = per_page or current_app.config["PER_PAGE"]
    key_of = key_of or (lambda item: [getattr(item, column.key) for column in order])
    listed, statement = statement, statement.order_by(None)
    if total is None:
        total = count_of(_keys_of(statement, order) if counted is None else counted)
    after, before = _decode("after", order), _decode("before", order)
    last = request.args.get("last") == "1"
    forward = not (before or (last and not after))
    key = tuple_(*order)
    if after and forward:
        statement = statement.where(key < tuple_(*after) if descending else key > tuple_(*after))
    elif before:
        statement = statement.where(key > tuple_(*before) if descending else key < tuple_(*before))
    newest_first = descending == forward

    def ordered():
        return statement.order_by(*(c.desc() if newest_first else c.asc() for c in order)).limit(per_page + 1)
    # The first and the last page read the same statement at each request (no cursor): made once from the list's.
    statement = ordered() if after or before else _made_from(listed, (tuple(order), newest_first, per_page), ordered)
    if len(statement.column_descriptions) == 1:
        items = db.session.scalars(statement).unique().all()
    else:
        items = db.session.execute(statement).all()
    more = len(items) > per_page
    items = items[:per_page]
    if not forward:
        items.reverse()
    if forward:
        has_prev, has_next = bool(after), more
    else:
        has_prev, has_next = more, not last or bool(before)
    page = Page(items=items, total=total, has_prev=has_prev, has_next=has_next,
                base_args={k: v for k, v in link_args(request.args).items() if k not in CURSOR_ARGS})
    if items:
        page.prev_args = {"before": _encode(key_of(items[0]))}
        page.next_args = {"after": _encode(key_of(items[-1]))}
    return page


def page_of(items, per_page=None):
    """A page of a list already worked out in memory (filtered by what no column holds, e.g. a participant's
    readiness), numbered by the request's `page` (`last=1`: the last page); the same Page the pager shows."""
    per_page = per_page or current_app.config["PER_PAGE"]
    pages = max(1, -(-len(items) // per_page))
    asked = request.args.get("page", "")
    number = pages if request.args.get("last") == "1" else int(asked) if asked.isdigit() and len(asked) < 7 else 1
    number = min(max(number, 1), pages)
    base = {k: v for k, v in link_args(request.args).items() if k not in CURSOR_ARGS}
    return Page(items[(number - 1) * per_page:number * per_page], len(items), has_prev=number > 1,
                has_next=number < pages, prev_args={"page": number - 1}, next_args={"page": number + 1},
                base_args=base)

