"""Pages with several forms keep every id unique: a screen reader or a label never points at the wrong field."""
import re
from collections import Counter
from html.parser import HTMLParser

import pytest

from tests.conftest import csrf_token, login
from tests.factories import Factory, member, publish
from timebank.exchanges.proposals import exchange_propose
from timebank.exchanges.steps import Terms
from timebank.timeutil import utcnow


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids = Counter()
        self.forms = 0

    def handle_starttag(self, tag, attrs):
        self.forms += tag == "form"
        for name, value in attrs:
            if name == "id":
                self.ids[value] += 1


def ids_of(response, status: int = 200) -> _Ids:
    assert response.status_code == status
    parser = _Ids()
    parser.feed(response.get_data(as_text=True))
    return parser


def assert_no_repeated_id(response, at_least_forms: int = 2):
    parsed = ids_of(response, status=response.status_code)
    assert parsed.forms >= at_least_forms  # the page really has several forms
    assert [name for name, count in parsed.ids.items() if count > 1] == []


@pytest.fixture
def csrf_app(make_app):
    """The real thing: CSRF tokens are in every form."""
    return make_app(WTF_CSRF_ENABLED=True)


def _sign_in(client, resident):
    token = csrf_token(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"identifier": resident.email, "password": resident.password, "csrf_token": token})


def test_the_exchange_page_repeats_no_id(csrf_app):
    people = Factory(csrf_app)
    amina, karim = people.member("Amina Diallo"), people.member("Karim Benali")
    client = csrf_app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    with csrf_app.test_request_context():
        exchange = exchange_propose(proposer=member(karim), counterpart=member(amina), proposer_provides=False,
                                    terms=Terms("Papiers", 120, utcnow().date(), None))
        exchange_id = exchange.id
    _sign_in(client, amina)

    page = client.get(f"/exchanges/{exchange_id}")

    assert page.get_data(as_text=True).count('name="csrf_token"') >= 3  # accept, counter, decline, write…
    assert_no_repeated_id(page, at_least_forms=3)


def test_the_coordinator_member_page_repeats_no_id(csrf_app):
    people = Factory(csrf_app)
    sandrine = people.coordinator("Sandrine Martin")
    amina = people.member("Amina Diallo")
    client = csrf_app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    _sign_in(client, sandrine)

    assert_no_repeated_id(client.get(f"/coordination/members/{amina.id}"), at_least_forms=5)


@pytest.mark.parametrize("url", ["/me/profile", "/give", "/members/{other}", "/me/listings"])
def test_member_pages_with_several_forms_repeat_no_id(csrf_app, url):
    people = Factory(csrf_app)
    amina, karim = people.member("Amina Diallo"), people.member("Karim Benali")
    for title in ("Couture", "Cuisine"):
        publish(csrf_app, amina, title)
    client = csrf_app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    _sign_in(client, amina)

    assert_no_repeated_id(client.get(url.format(other=karim.id)), at_least_forms=2)


def test_a_hidden_field_still_reaches_the_server(app, client, people):
    """The idempotency key and the token lose their id, not their name."""
    amina = people.member("Amina Diallo")
    login(client, amina)
    html = client.get("/give").get_data(as_text=True)
    assert 'name="key" type="hidden" value="' in html
    assert 'id="key"' not in html


def test_two_mistakes_in_one_duration_keep_one_error_id(app, client, people):
    amina, karim = people.member("Amina Diallo"), people.member("Karim Benali")
    login(client, amina)
    page = client.get("/give").get_data(as_text=True)
    key = re.search(r'name="key" type="hidden" value="([^"]+)"', page).group(1)

    response = client.post("/give", data={"key": key, "to": str(karim.id), "hours": "-1", "minutes": "7"})

    assert response.status_code == 422
    assert_no_repeated_id(response, at_least_forms=2)
    assert ids_of(response, status=422).ids["hours-error"] == 1
