"""One page of a longer list (``database.page_of``): a short first page is the whole list and is not counted; a page
past the end is the last one."""
import sqlalchemy as sa

from timebank.database import page_of
from timebank.extensions import db
from timebank.members.models import Member


def test_pages_of_a_list(app, people):
    for n in range(5):
        people.member(f"Voisine{n} Test", email=f"voisine{n}@example.org")
    names = sa.select(Member.display_name).where(Member.display_name.like("Voisine%")).order_by(Member.display_name)
    statements = []
    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
        short = page_of(names, page=1, per_page=10)
        assert (short.items, short.page, short.pages, short.total) == (
            [f"Voisine{n} Test" for n in range(5)], 1, 1, 5)
        assert not any("count(" in statement for statement in statements)  # the whole list fit: nothing counted

        full = page_of(names, page=1, per_page=5)
        assert (len(full.items), full.pages, full.total) == (5, 1, 5)
        second = page_of(names, page=2, per_page=2)
        assert (second.items, second.page, second.pages) == (["Voisine2 Test", "Voisine3 Test"], 2, 3)
        past = page_of(names, page=99, per_page=2)
        assert (past.items, past.page, past.pages, past.total) == (["Voisine4 Test"], 3, 3, 5)
