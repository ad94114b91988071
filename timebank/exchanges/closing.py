"""Closing the open exchanges of someone who can no longer take part: a suspended member, a suspended partner."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from timebank.exchanges.completion import exchange_settle_in_transaction
from timebank.exchanges.models import Exchange, ExchangeState
from timebank.exchanges.proposals import exchange_cancel_in_transaction
from timebank.extensions import db
from timebank.members.models import Member

CLOSING_STATES = (ExchangeState.PROPOSED, ExchangeState.AGREED, ExchangeState.DONE)


def exchanges_close_in_transaction(exchanges, *, actor: Member, reason: str,
                                   partner: str | None = None) -> tuple[list[int], list[int]]:
    """Cancel each open exchange (its reserved hours released), or settle it when it was marked done: the service
    took place, so the hours both agreed move now rather than stay reserved. ``partner``: the name of the partner
    whose participation is suspended (else a membership is). Returns (cancelled, settled) ids."""
    cancelled, settled = [], []
    for exchange in exchanges:
        if exchange.state is ExchangeState.DONE:
            exchange_settle_in_transaction(exchange=exchange, actor=actor, partner=partner)
            settled.append(exchange.id)
        else:
            exchange_cancel_in_transaction(exchange=exchange, actor=actor, reason=reason, force=True)
            cancelled.append(exchange.id)
    return cancelled, settled


def exchanges_release_of_partner(partner, *, actor: Member, **_extra) -> None:
    """A partner is being suspended: its open exchanges are cancelled or settled (connected to
    ``partner_suspending``)."""
    open_exchanges = db.session.scalars(sa.select(Exchange).where(
        Exchange.partner_id == partner.id, Exchange.state.in_(CLOSING_STATES)).order_by(Exchange.id)).all()
    exchanges_close_in_transaction(open_exchanges, actor=actor, partner=partner.name,
                                   reason=str(_l("The partner is suspended for now.")))
