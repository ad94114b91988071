"""A statement page and the reservations are read as plain records, not ORM objects: each line must say what the
transfer and its accounts say, for every account of a neighbourhood with one of everything (gifts, welcome hours,
exchanges, a partner's account, the community account, lines recorded by a coordinator)."""
import pytest
import sqlalchemy as sa

from tests.world import build_neighbourhood
from timebank.extensions import db
from timebank.ledger import services as ledger
from timebank.ledger.models import Account, Transfer, TransferState
from timebank.ledger.statements import reservations, statement


def what(line_or_transfer, account_id=None):
    """What a page shows of a line (or, with ``account_id``, of a reservation), read the same way from either."""
    transfer = getattr(line_or_transfer, "transfer", line_or_transfer)
    counterpart = (line_or_transfer.counterpart if account_id is None else
                   transfer.credit_account if transfer.debit_account_id == account_id else transfer.debit_account)
    return (transfer.id, transfer.created_at, transfer.kind, transfer.memo, transfer.minutes, transfer.exchange_id,
            transfer.recorded_by_id, transfer.recorded_by.display_name if transfer.recorded_by else None,
            counterpart.id, counterpart.kind, counterpart.member_id, ledger.account_label(counterpart),
            getattr(line_or_transfer, "minutes", None), getattr(line_or_transfer, "balance_after", None))


@pytest.fixture
def accounts(app):
    """Every account of a neighbourhood with one of everything, more lines added; in a request."""
    with app.test_request_context():
        world = build_neighbourhood(app)
        db.session.commit()
        _more_lines(world)
        yield db.session.scalars(sa.select(Account).order_by(Account.id)).all()


def test_statement_records_say_what_the_transfers_say(accounts):
    compared = 0
    for account in accounts:
        shown = statement(account=account, per_page=50).lines
        expected = ledger.statement_all(account=account)[:50]  # ORM objects, newest first
        assert [what(line) for line in shown] == [what(line) for line in expected], account.id
        compared += len(shown)
        reserved = db.session.scalars(sa.select(Transfer).where(
            Transfer.reservation.is_(True), Transfer.state == TransferState.PENDING,
            sa.or_(Transfer.debit_account_id == account.id, Transfer.credit_account_id == account.id))
            .order_by(Transfer.id)).all()
        assert [what(t, account.id) for t in reservations(account=account)] == \
            [what(t, account.id) for t in reserved], account.id
        compared += len(reserved)
    assert compared > 20, compared


def _more_lines(world):
    """Gifts with a memo, welcome hours, a grant from the community account and a transfer a coordinator records."""
    from timebank.giving.services import give_time
    from timebank.members.models import Member

    people = {name: db.session.scalar(sa.select(Member).where(Member.display_name == name))
              for name in ("Amina Diallo", "Karim Benali", "Omar Haddad", "Sandrine Martin")}
    for n in range(8):
        giver, recipient = (people["Karim Benali"], people["Amina Diallo"]) if n % 2 else \
            (people["Amina Diallo"], people["Karim Benali"])
        give_time(giver=giver, recipient=recipient, minutes=30, memo=f"Merci {n}", key=f"records-{n}")
        db.session.commit()
    give_time(giver=people["Amina Diallo"], recipient=None, minutes=30, memo="Pour le quartier", key="records-c")
    db.session.commit()
    from timebank.exchanges.past import exchange_record_brokered

    karim = people["Karim Benali"]
    karim.brokered = True  # he asked the coordinators to act for him
    db.session.commit()
    exchange_record_brokered(coordinator=people["Sandrine Martin"], provider=people["Amina Diallo"], recipient=karim,
                             minutes=60, title="Courses", key="records-b")
    db.session.commit()
    recorder = sa.orm.aliased(Account)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Transfer)
                             .join(recorder, recorder.id == Transfer.debit_account_id)
                             .where(Transfer.recorded_by_id.is_not(None),
                                    Transfer.recorded_by_id != recorder.member_id)), "no line recorded by another"


def test_a_statement_counts_its_lines_on_every_page_whatever_their_number(accounts):
    """A first page that is not full is the whole statement and is not counted; a full one is."""
    seen = set()
    for account in accounts:
        total = len(ledger.statement_all(account=account))
        for per_page in (2, 3, 5, 50):
            pages = max(1, -(-total // per_page))
            for page in range(1, pages + 1):
                shown = statement(account=account, page=page, per_page=per_page)
                assert (shown.total, shown.pages) == (total, pages), (account.id, per_page, page)
                assert len(shown.lines) == min(per_page, total - (page - 1) * per_page)
            seen.add((total > per_page, total < per_page))
    assert seen >= {(True, False), (False, True)}  # full first pages and short ones were both read
