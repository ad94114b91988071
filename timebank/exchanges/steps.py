"""The parts every stage of an exchange uses: its terms and checks, its timeline, telling the people."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from flask import current_app
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from timebank.database import lock_fresh
from timebank.errors import DomainError, InvalidTransition, NotAllowed
from timebank.exchanges.models import Exchange, ExchangeEvent, ExchangeMessage, ExchangeState
from timebank.extensions import db
from timebank.idempotency import form_claim
from timebank.ledger import services as ledger
from timebank.listings.models import Listing
from timebank.members.models import Member
from timebank.notifications.services import mail_queue, notify
from timebank.timeutil import months_after, utcnow


MESSAGE_MAX = 2000


@dataclass(frozen=True)
class Terms:
    title: str
    minutes: int
    on_date: date
    at_time: time | None


_lock = lock_fresh


def _event(exchange: Exchange, actor: Member | None, kind: str, **detail) -> None:
    from timebank.exchanges.sides import for_partner

    partner = for_partner(exchange, actor)
    if partner is not None:
        detail["for_partner"] = partner  # the timeline reads "Sandrine for Les Tilleuls Habitat"
    db.session.add(ExchangeEvent(exchange_id=exchange.id, actor_id=actor.id if actor else None, kind=kind,
                                 detail=detail, created_at=utcnow()))
    exchange.updated_at = utcnow()


def _tell(member: Member, exchange: Exchange, kind: str, subject, **extra) -> None:
    """An in-app notice and an e-mail for one party, in that member's language."""
    params = {"title": exchange.title, "name": extra.pop("name", ""), **extra}
    notify(member=member, kind=f"exchange_{kind}", params=params, link=f"/exchanges/{exchange.id}")
    topic = "messages" if kind == "message" else "reminders" if kind in ("reminder", "tomorrow") else "exchanges"
    mail_queue(member=member, subject=subject, template="exchange_update", exchange=exchange, kind=kind,
               topic=topic, text=lambda: exchange_notice(f"exchange_{kind}", params),
               short=lambda: exchange_notice(f"exchange_{kind}", params), link=f"/exchanges/{exchange.id}",
               glance=lambda: glance_text(f"exchange_{kind}", params))


def _tell_side(exchange: Exchange, side: str, kind: str, subject, **extra) -> None:
    """Tell one side: the member, or every representative of the partner on that side."""
    from timebank.exchanges.sides import side_members

    for member in side_members(exchange, side):
        _tell(member, exchange, kind, subject, **dict(extra))


def _tell_other(exchange: Exchange, actor: Member, kind: str, subject, **extra) -> None:
    """Tell the side ``actor`` is not on (both sides when she is on neither: a coordinator)."""
    from timebank.exchanges.models import PROVIDER, RECIPIENT

    mine = exchange.side_of(actor)
    for side in (PROVIDER, RECIPIENT):
        if side != mine:
            _tell_side(exchange, side, kind, subject, **extra)


def exchange_notice(kind: str, params: dict) -> str:
    """The words of an exchange's step for an e-mail (names and titles isolated)."""
    from timebank.notifications.messages import notification_plain

    return notification_plain(kind, params)


def glance_text(kind: str, params: dict) -> str:
    from timebank.notifications.messages import glance_text as glance

    return glance(kind, params)


def _check_member(member: Member) -> None:
    if not member.is_active_member:
        raise NotAllowed(_l("Only active members can take part in exchanges."))


def check_verified_for(*, category_id: int | None, provider: Member) -> None:
    """Refuse a service in a "verified only" category (childcare…) whose provider no coordinator vouched for.

    Every path that names a category checks it: a listing, a proposal, a gift, a coordinator's record, a group.
    """
    if category_id is None:
        return
    from timebank.listings.models import Category

    category = db.session.get(Category, category_id)
    if category is not None and category.requires_verified and not provider.is_verified:
        raise NotAllowed(_l("This service needs a provider verified by a coordinator."))


def plan_horizon() -> date:
    """The latest date an exchange may be planned for today (the setting "how far ahead", in months)."""
    return months_after(utcnow().date(), current_app.config["TIMEBANK_PLAN_AHEAD_MONTHS"])


def check_horizon(on_date: date) -> None:
    """Refuse a date so far ahead that the payer's hours would be held for months (e.g. 31 December 9999)."""
    latest = plan_horizon()
    if on_date > latest:
        raise DomainError(_l("An exchange can be planned %(months)s months ahead at most, until %(date)s. Please "
                             "choose an earlier date; you can plan the next one later.",
                             months=current_app.config["TIMEBANK_PLAN_AHEAD_MONTHS"],
                             date=format_date(latest, "long")), field="on_date")


def _check_terms(terms: Terms, *, provider: Member, listing: Listing | None) -> None:
    if not terms.title.strip():
        raise DomainError(_l("Please say what the exchange is about."), field="title")
    ledger.check_amount(terms.minutes)
    if terms.on_date < utcnow().date():
        raise DomainError(_l("The date is already past. For a service already done, use “Give time”."),
                          field="on_date")
    check_horizon(terms.on_date)
    check_verified_for(category_id=listing.category_id if listing else None, provider=provider)


def _agent(current: Exchange, actor: Member, by: Member | None) -> dict:
    """When ``by`` acts for ``actor`` (a coordinator or a trusted helper): check it, and return the timeline's marks."""
    if by is None:
        return {}
    from timebank.coordination.acting import check_may_act_for

    role = check_may_act_for(agent=by, member=actor)
    if current.involves(by):
        raise NotAllowed(_l("You take part in this exchange: you cannot also act for the other person."))
    return {"by": by.id, "by_name": by.display_name, "by_role": role}


def _step(current: Exchange, actor: Member, kind: str, *, by: Member | None, marks: dict, **detail) -> None:
    """Write the step in the timeline; when someone acted for ``actor``, mark it and tell ``actor``."""
    _event(current, actor, kind, **detail, **marks)
    if by is not None:
        from timebank.coordination.acting import acted_for

        acted_for(member=actor, agent=by, role=marks["by_role"], target=f"exchange {current.id}", step=kind,
                  title=current.title, link=f"/exchanges/{current.id}")


def _seen(current: Exchange, step: str, *, actor: Member, by: Member | None, key: str | None) -> bool:
    """Was this very form (same key, same step, same person) already handled? Then the step is not done again."""
    sender = by or actor
    _, replayed = form_claim(member_id=sender.id, key=key, action=f"exchange_{step}", target=f"{current.id}:{actor.id}")
    return replayed


def _check_turn(exchange: Exchange, actor: Member) -> None:
    _check_member(actor)
    side = exchange.side_of(actor)
    if side is None:
        raise NotAllowed(_l("This exchange is not yours."))
    if exchange.state is not ExchangeState.PROPOSED:
        raise InvalidTransition(_l("This proposal has already been answered."))
    if exchange.turn_side != side:
        raise InvalidTransition(_l("It is the other person's turn to answer."))


def _add_message(exchange: Exchange, author: Member, body: str) -> ExchangeMessage:
    message = ExchangeMessage(exchange_id=exchange.id, author_id=author.id, body=body.strip()[:MESSAGE_MAX],
                              created_at=utcnow())
    db.session.add(message)
    return message
