"""`timebank demo scale`: a demo instance grown in bulk stays a consistent timebank."""
from __future__ import annotations

import sqlalchemy as sa

from timebank.extensions import db
from timebank.ledger.models import Account, Transfer
from timebank.members.models import Member


def test_a_scaled_demo_verifies_clean_and_its_members_see_their_hours(app, people):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo", "load"]).exit_code == 0

    result = runner.invoke(args=["demo", "scale", "--members", "60", "--listings", "120", "--transfers", "900",
                                 "--messages", "50", "--exchanges", "40"])

    assert result.exit_code == 0, result.output
    assert "Added 60 members, 120 listings, 900 transfers, 50 messages and 40 exchanges" in result.output
    verify = runner.invoke(args=["ledger", "verify"])
    assert verify.exit_code == 0 and "ledger OK" in verify.output, verify.output
    with app.app_context():
        member = db.session.scalar(sa.select(Member).where(Member.email.like("scale-%")).order_by(Member.id))
        account = db.session.scalar(sa.select(Account).where(Account.member_id == member.id))
        last = db.session.scalar(sa.select(Transfer).where(sa.or_(
            Transfer.debit_account_id == account.id, Transfer.credit_account_id == account.id))
            .order_by(Transfer.id.desc()).limit(1))
        # The running balance of her newest movement is her balance: the statement reads true.
        after = last.debit_balance_after if last.debit_account_id == account.id else last.credit_balance_after
        assert after == account.posted
        email = member.email
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert client.post("/login", data={"identifier": email, "password": "timebank-demo"}).status_code == 302
    assert client.get("/me/hours").status_code == 200

    # An exchange of the scale opens for its provider with its two messages and its state.
    with app.app_context():
        from timebank.exchanges.models import Exchange

        exchange = db.session.scalar(sa.select(Exchange).order_by(Exchange.id.desc()).limit(1))
        provider, title = db.session.get(Member, exchange.provider_id), exchange.title
    client.post("/logout")
    assert client.post("/login", data={"identifier": provider.email or str(provider.number),
                                       "password": "timebank-demo"}).status_code == 302
    page = client.get(f"/exchanges/{exchange.id}").get_data(as_text=True)
    assert title in page and "Bonjour" in page and "Désolée" in page

    # The app goes on making rows after the bulk ones (PostgreSQL's id sequences were moved past them).
    with app.app_context():
        last_id = db.session.scalar(sa.select(sa.func.max(Member.id)))
    assert people.member("Léa Morel").id == last_id + 1


def test_scale_refuses_an_instance_that_is_not_a_demo(app, people):
    people.member("Karim Benali")

    result = app.test_cli_runner().invoke(args=["demo", "scale", "--members", "5"])

    assert result.exit_code != 0
    assert "not a demo instance" in result.output
    assert people.count_members() == 1
