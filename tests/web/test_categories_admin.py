"""The categories admin as one compact line per category: order, edit and archive side by side."""
import re

from tests.conftest import login, text_of


def test_each_category_is_one_row_with_reorder_edit_and_archive(client, people):
    claire = people.admin("Claire Dubois")
    login(client, claire)
    html = client.get("/admin/categories").get_data(as_text=True)
    rows = re.findall(r'<tr id="category-\d+".*?</tr>', html, flags=re.S)
    assert len(rows) >= 10
    for row in rows[1:-1]:
        assert 'name="up"' in row and 'name="down"' in row and ">Edit</a>" in row and 'name="archive"' in row
        assert row.count("<form") == 1
    assert 'name="up" value="y" class="icon-button" aria-label="Move' in rows[0] and "disabled" in rows[0]
    assert "class=\"button" not in "".join(rows)  # no row of solid buttons
    page = text_of(client.get("/admin/categories"))
    assert "Translation and interpreting" in page and "In use" in page


def test_moving_and_archiving_from_the_row_still_work(app, client, people):
    claire = people.admin("Claire Dubois")
    login(client, claire)
    html = client.get("/admin/categories").get_data(as_text=True)
    second = int(re.findall(r'<tr id="category-(\d+)"', html)[1])
    assert client.post(f"/admin/categories/{second}/step", data={"up": "y"}).status_code == 303
    assert int(re.findall(r'<tr id="category-(\d+)"', client.get("/admin/categories").get_data(as_text=True))[0]) \
        == second
    client.post(f"/admin/categories/{second}/step", data={"archive": "y"})
    row = re.search(rf'<tr id="category-{second}".*?</tr>', client.get("/admin/categories").get_data(as_text=True),
                    flags=re.S).group(0)
    assert 'class="archived"' in row and "Archived" in row and 'name="restore"' in row
    login(client, people.coordinator("Sandrine Martin"))
    assert client.get("/admin/categories").status_code == 403
