"""Past and recorded exchanges: a service already given (giving time), and one a coordinator brokered."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from timebank.audit import audit
from timebank.database import atomic
from timebank.errors import NotAllowed
from timebank.exchanges.models import Exchange, ExchangeState
from timebank.exchanges.steps import _event, _tell, check_verified_for
from timebank.extensions import db
from timebank.idempotency import form_claim
from timebank.ledger import services as ledger
from timebank.ledger.models import TransferKind
from timebank.members.models import Member
from timebank.timeutil import utcnow


def exchange_record_past_in_transaction(*, recipient: Member, provider: Member, minutes: int, title: str,
                                        category_id: int | None, by_recipient: bool = True) -> Exchange:
    """Write down a service already received ("Karim helped me 2 h"), completed at once.

    The caller posts the hours with ``exchange_id`` set to this exchange; the
    provider is told and may raise a disagreement within the window.
    """
    check_verified_for(category_id=category_id, provider=provider)
    exchange = Exchange(
        provider=provider, recipient=recipient, proposer=recipient, turn_id=None, category_id=category_id,
        title=(title.strip() or str(_l("Service received")))[:100], minutes=minutes, on_date=utcnow().date(),
        state=ExchangeState.COMPLETED, done_minutes=minutes, done_at=utcnow(), finished_at=utcnow(),
        created_at=utcnow(), updated_at=utcnow(),
    )
    db.session.add(exchange)
    db.session.flush()
    if by_recipient:
        _event(exchange, recipient, "recorded", minutes=minutes)
    return exchange


def exchange_record_brokered(*, coordinator: Member, provider: Member, recipient: Member, minutes: int,
                             title: str, category_id: int | None = None, key: str | None = None) -> Exchange:
    """A coordinator records, on behalf of a member without phone or internet, a service they received.

    The recipient must have asked the coordinators to act for them. The hours
    move at once; both people are told, and either can raise a disagreement.
    ``key`` is the form's: the same form sent twice records one exchange and moves the hours once.
    """
    def work():
        use, replayed = form_claim(member_id=coordinator.id, key=key, action="exchange_brokered", target=recipient.id)
        if replayed:
            return db.session.get(Exchange, use.target_id)
        if not (coordinator.is_coordinator and coordinator.is_active_member):
            raise NotAllowed(_l("Only coordinators can record an exchange for a member."))
        if coordinator.id in (provider.id, recipient.id):
            raise NotAllowed(_l("Another coordinator must record an exchange you are part of."))
        if not recipient.brokered:
            raise NotAllowed(_l("%(name)s has not asked the coordinators to act for them.",
                                name=recipient.display_name))
        if provider.id == recipient.id:
            raise NotAllowed(_l("Choose two different members."))
        debit, credit = ledger.account_of(recipient), ledger.account_of(provider)
        if debit is None or credit is None:
            raise NotAllowed(_l("Both members need an active account."))
        ledger.transfer_check(debit=debit, credit=credit, minutes=minutes, actor=None)
        exchange = exchange_record_past_in_transaction(recipient=recipient, provider=provider, minutes=minutes,
                                                       title=title, category_id=category_id, by_recipient=False)
        exchange.proposer_id = coordinator.id
        _event(exchange, coordinator, "brokered", minutes=minutes, on_behalf_of=recipient.display_name)
        transfer = ledger.transfer_post_in_transaction(
            debit=debit, credit=credit, minutes=minutes, kind=TransferKind.EXCHANGE,
            key=f"exchange:{exchange.id}:brokered", actor=coordinator, memo=exchange.title, exchange_id=exchange.id)
        audit(actor=coordinator, action="exchange_brokered", member=recipient, target=f"exchange {exchange.id}",
              minutes=minutes, provider=provider.id)
        for member in (provider, recipient):
            _tell(member, exchange, "brokered",
                  lambda: _("Recorded for you: %(title)s", title=exchange.title), name=coordinator.display_name,
                  minutes=minutes)
        assert transfer.exchange_id == exchange.id
        if use is not None:
            use.target_id = exchange.id
        return exchange

    return atomic(work)
