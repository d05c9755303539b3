"""One paginator for every list: a page of rows from a select, with the count for the pager."""
from dataclasses import dataclass
from math import ceil

from flask import current_app, request
from sqlalchemy import func, select

from ..extensions import db


@dataclass
class Page:
    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self):
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_prev(self):
        return self.page > 1

    @property
    def has_next(self):
        return self.page < self.pages


def paginate(statement, per_page=None):
    per_page = per_page or current_app.config["PER_PAGE"]
    total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    # Past the last page (or a page number no database could offset by) shows the last page.
    page = min(max(1, request.args.get("page", 1, type=int)), max(1, ceil(total / per_page)))
    window = statement.limit(per_page).offset((page - 1) * per_page)
    # One entity gives objects; several columns (an object and a computed status, say) give rows.
    if len(statement.column_descriptions) == 1:
        items = db.session.scalars(window).unique().all()
    else:
        items = db.session.execute(window).all()
    return Page(items=items, page=page, per_page=per_page, total=total)
