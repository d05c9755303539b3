"""/outages/board opened alone is a page for a wall display; the same URL polled by htmx is the board itself."""
from tests.outages.factory import make_outage


def test_the_board_alone_is_a_wall_page_and_polled_it_is_the_partial(app, as_user):
    with app.app_context():
        make_outage("dip@demo.test", description="Hub down")
    supplier = as_user("supplier@demo.test")
    wall = supplier.get("/outages/board")
    page = wall.get_data(as_text=True)
    assert wall.status_code == 200 and "HX-Request" in wall.headers["Vary"]
    assert page.startswith("<!doctype html>") and '<body class="wall">' in page
    assert "<h1>Environment status</h1>" in page and 'class="main-nav"' not in page  # no navigation on a wall
    assert 'hx-trigger="every 60s"' in page and "1 outage now" in page and "all up" in page
    assert "css/app.css" in page and "vendor/htmx.min.js" in page  # styled, and refreshing by itself
    polled = supplier.get("/outages/board", htmx=True)
    assert "<html" not in polled.get_data(as_text=True) and 'id="status-board"' in polled.get_data(as_text=True)
    assert polled.headers.get("ETag")
    # The outage log links to it.
    assert 'href="/outages/board" role="button" class="secondary outline">Wall display</a>' in \
        supplier.get("/outages").get_data(as_text=True)
