"""The two sides of an exchange: whose account pays and is paid, who is told, and who acted for a partner.

On a partner's side (``Exchange.partner_side``) the partner takes part: its account pays or is paid, every
current representative may act and is told, and each step says "Sandrine for Les Tilleuls Habitat".
"""
from __future__ import annotations

from flask_babel import gettext as _

from timebank.exchanges.models import PROVIDER, RECIPIENT, Exchange
from timebank.ledger import services as ledger
from timebank.ledger.models import Account
from timebank.members.models import Member
from timebank.partners.access import representatives


def other_side(side: str | None) -> str:
    return RECIPIENT if side == PROVIDER else PROVIDER


def side_account(exchange: Exchange, side: str) -> Account | None:
    """The account that pays (recipient) or is paid (provider): the partner's on its side, not the representative's."""
    if side == exchange.partner_side and exchange.partner is not None:
        return exchange.partner.account
    return ledger.account_of(exchange.party(side))


def exchange_accounts(exchange: Exchange) -> tuple[Account | None, Account | None]:
    """(debit, credit): the recipient's account pays the provider's."""
    return side_account(exchange, RECIPIENT), side_account(exchange, PROVIDER)


def side_members(exchange: Exchange, side: str) -> list[Member]:
    """Who is told of a step on this side: the member, or every active representative of the partner."""
    if side == exchange.partner_side and exchange.partner is not None:
        return [row.member for row in representatives(partner=exchange.partner) if row.member.is_active_member]
    return [exchange.party(side)]


def for_partner(exchange: Exchange, actor: Member | None) -> str | None:
    """The partner's name when ``actor`` acts on its side of the exchange, else None."""
    if actor is None or exchange.partner_side is None or exchange.partner is None:
        return None
    return exchange.partner.name if exchange.side_of(actor) == exchange.partner_side else None


def acting_name(exchange: Exchange, actor: Member) -> str:
    """"Sandrine for Les Tilleuls Habitat", or just "Sandrine", in the language of the moment."""
    partner = for_partner(exchange, actor)
    if partner is None:
        return actor.display_name
    return _("%(person)s for %(partner)s", person=actor.display_name, partner=partner)


def named(exchange: Exchange, actor: Member) -> dict:
    """A notice's parameters naming who acted: her name, and the partner she acted for (read in the reader's
    language)."""
    partner = for_partner(exchange, actor)
    return {"name": actor.display_name, **({"partner": partner} if partner else {})}
