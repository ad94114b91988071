"""Giving time: to a member, to the community account; welcome hours and community grants.

Each flow is one transaction: the transfer, the in-app notices and the
e-mails are written together or not at all. A replayed form (same key)
returns the first transfer and tells nobody twice.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from timebank.audit import audit
from timebank.database import atomic
from timebank.errors import NotAllowed
from timebank.extensions import db
from timebank.i18n import format_minutes
from timebank.idempotency import form_claim
from timebank.ledger import services as ledger
from timebank.ledger.errors import AboveCeiling, ReasonRequired
from timebank.ledger.models import Account, Transfer, TransferKind
from timebank.members.models import Member
from timebank.notifications.messages import glance_text
from timebank.notifications.services import mail_queue, notify


def _is_new(transfer: Transfer) -> bool:
    return ledger.transfer_is_new(transfer)


def _tell_receiver(member: Member, *, kind: str, giver_name: str | None, minutes: int, memo: str,
                   link: str = "/me/hours") -> None:
    """Tell the member who receives hours; ``giver_name`` None: they come from the community account."""
    params = {"name": giver_name or "", "minutes": minutes, "memo": memo}
    notify(member=member, kind=kind, params=params, link=link)
    mail_queue(
        member=member,
        topic="hours",
        glance=lambda: glance_text(kind, params),  # a locked screen: "Karim gave you hours.", never the memo
        subject=lambda: (_("%(name)s gave you %(amount)s", name=giver_name, amount=format_minutes(minutes))
                         if giver_name else
                         _("The community account gave you %(amount)s", amount=format_minutes(minutes))),
        template="hours_received",
        link=link,
        giver_name=giver_name,
        minutes=minutes,
        memo=memo,
    )


def _gift_accounts(giver: Member, recipient: Member | None) -> tuple[Account, Account, TransferKind]:
    debit = ledger.account_of(giver)
    if debit is None:
        raise NotAllowed(_l("Your account is not open yet: a coordinator must approve your membership."))
    if recipient is None:
        return debit, ledger.community_account(), TransferKind.DONATION
    credit = ledger.account_of(recipient)
    if credit is None:
        raise NotAllowed(_l("%(name)s cannot receive hours yet.", name=recipient.display_name))
    return debit, credit, TransferKind.DIRECT


class GiftTooLarge(AboveCeiling):
    """The receiver's account cannot take the gift now; how much room it has is hers to know, not the giver's."""

    def __init__(self, recipient: Member):
        super().__init__(_l("%(name)s cannot receive this many hours just now: their account is close to its upper "
                            "limit. You can give to the community account instead.", name=recipient.display_name),
                         field="minutes")


def _check_gift(*, debit: Account, credit: Account, minutes: int, giver: Member, recipient: Member | None) -> None:
    try:
        ledger.transfer_check(debit=debit, credit=credit, minutes=minutes, actor=giver)
    except AboveCeiling:
        if recipient is None:
            raise
        raise GiftTooLarge(recipient) from None


def give_preview(*, giver: Member, recipient: Member | None, minutes: int,
                 category_id: int | None = None) -> ledger.Balance:
    """Check a gift without making it; return the giver's balance as it would be after."""
    from timebank.exchanges.steps import check_verified_for

    debit, credit, _ = _gift_accounts(giver, recipient)
    if recipient is not None:
        check_verified_for(category_id=category_id, provider=recipient)
    _check_gift(debit=debit, credit=credit, minutes=minutes, giver=giver, recipient=recipient)
    now = ledger.balance_of(debit)
    return ledger.Balance(now.posted - minutes, now.reserved_to_pay, now.reserved_to_receive, now.floor,
                          now.ceiling)


def give_time(*, giver: Member, recipient: Member | None, minutes: int, memo: str, key: str,
              category_id: int | None = None) -> Transfer:
    """Give hours to a member for a service already received, or, with no recipient, to the community account.

    Giving to a member records a completed exchange ("Karim helped me 2 h"),
    which the member who receives the hours can dispute within the window.
    ``key`` is the form's idempotency key; it is scoped to the giver, so no one
    can take a key that someone else, or the timebank itself, will need.
    """
    from timebank.exchanges.past import exchange_record_past_in_transaction

    form_key, key = key, f"give:{giver.id}:{key}"

    def work():
        # Taken first: the same form sent twice at once waits here, and then answers with the first transfer
        # (without it, the second would write a second, empty exchange before finding the transfer).
        form_claim(member_id=giver.id, key=form_key, action="give")
        debit, credit, kind = _gift_accounts(giver, recipient)
        already = db.session.scalar(sa.select(Transfer).where(Transfer.key == key))
        exchange = None
        if already is None and recipient is not None:
            _check_gift(debit=debit, credit=credit, minutes=minutes, giver=giver, recipient=recipient)
            exchange = exchange_record_past_in_transaction(recipient=giver, provider=recipient, minutes=minutes,
                                                           title=memo, category_id=category_id)
        try:
            transfer = ledger.transfer_post_in_transaction(debit=debit, credit=credit, minutes=minutes, kind=kind,
                                                           key=key, actor=giver, memo=memo,
                                                           exchange_id=exchange.id if exchange else
                                                           (already.exchange_id if already else None))
        except AboveCeiling:
            if recipient is None:
                raise
            raise GiftTooLarge(recipient) from None
        if _is_new(transfer):
            if recipient is None:
                notify(member=giver, kind="donation_given", params={"minutes": minutes}, link="/me/hours")
            else:
                notify(member=giver, kind="hours_given",
                       params={"name": recipient.display_name, "minutes": minutes, "memo": transfer.memo},
                       link="/me/hours")
                _tell_receiver(recipient, kind="hours_received", giver_name=giver.display_name,
                               minutes=minutes, memo=transfer.memo, link=f"/exchanges/{exchange.id}")
        return transfer

    return atomic(work)


def _check_admin(actor: Member) -> None:
    if not (actor.is_admin and actor.is_active_member):
        raise NotAllowed(_l("Only the association's admins can do this."))


def welcome_grant(*, admin: Member, member: Member, minutes: int, memo: str, key: str) -> Transfer:
    """Give welcome hours from the system account."""
    _check_admin(admin)

    def work():
        transfer = welcome_grant_in_transaction(actor=admin, member=member, minutes=minutes, memo=memo,
                                                key=f"welcome:{admin.id}:{key}")
        if _is_new(transfer):
            audit(actor=admin, action="welcome_hours", member=member, reason=memo, minutes=minutes)
        return transfer

    return atomic(work)


def welcome_grant_in_transaction(*, actor: Member | None, member: Member, minutes: int, memo: str,
                                 key: str) -> Transfer:
    credit = ledger.account_open(member=member)
    transfer = ledger.transfer_post_in_transaction(debit=ledger.system_account(), credit=credit, minutes=minutes,
                                                   kind=TransferKind.WELCOME, key=key, actor=actor, memo=memo)
    if _is_new(transfer):
        notify(member=member, kind="welcome_received", params={"minutes": minutes, "memo": transfer.memo},
               link="/me/hours")
    return transfer


def member_welcome(member: Member, *, actor: Member | None = None, welcome_hours: bool = True) -> None:
    """A member joins (members.services.member_joined): open her account, with welcome hours if the association
    gives them."""
    ledger.account_open(member=member)
    minutes = current_app.config["TIMEBANK_WELCOME_MINUTES"]
    if welcome_hours and minutes > 0:
        welcome_grant_in_transaction(actor=actor, member=member, minutes=minutes, memo="",
                                     key=f"auto:welcome:{member.id}")


def community_grant(*, admin: Member, member: Member, minutes: int, reason: str, key: str) -> Transfer:
    """Move hours from the community account to a member, for a stated reason."""
    _check_admin(admin)
    if not (reason or "").strip():
        raise ReasonRequired()
    key = f"grant:{admin.id}:{key}"

    def work():
        credit = ledger.account_of(member)
        if credit is None:
            raise NotAllowed(_l("%(name)s cannot receive hours yet.", name=member.display_name))
        transfer = ledger.transfer_post_in_transaction(debit=ledger.community_account(), credit=credit,
                                                       minutes=minutes, kind=TransferKind.GRANT, key=key,
                                                       actor=admin, memo=reason)
        if _is_new(transfer):
            audit(actor=admin, action="community_grant", member=member, reason=reason, minutes=minutes)
            _tell_receiver(member, kind="grant_received", giver_name=None, minutes=minutes, memo=transfer.memo)
        return transfer

    return atomic(work)


def community_and_system_balances() -> tuple[Account, Account]:
    return ledger.community_account(), ledger.system_account()
