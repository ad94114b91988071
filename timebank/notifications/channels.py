"""How each member is told about each topic: in the app only, by e-mail (at once or in a digest), by text
message, or by a phone notification. The in-app notice is always there."""
from __future__ import annotations

from typing import TYPE_CHECKING

from flask import current_app

from timebank.database import begin_write, insert_on_conflict
from timebank.extensions import db
from timebank.notifications import push
from timebank.notifications.models import MODES, TOPICS, EmailPreference

if TYPE_CHECKING:  # notifications sit below the members
    from timebank.members.models import Member


def has_push(member: Member) -> bool:
    """Does the member have a phone that takes notifications?"""
    return push.has_push(member)


def push_subscription_ids(member: Member) -> list[str]:
    """The ids of the member's push subscriptions: one outbox message each."""
    return [str(subscription.id) for subscription in push.push_subscriptions_of(member)]


def can_text(member: Member) -> bool:
    return bool(member.phone) and getattr(member, "sms_stopped_at", None) is None


def _default(member: Member, topic: str) -> str:
    defaults = current_app.config["TIMEBANK_EMAIL_DEFAULTS"]
    mode = defaults.get(topic, "now")
    if mode in ("now", "digest") and not member.email and member.phone:
        return "sms"
    return mode


def chosen_mode(*, member: Member, topic: str) -> str:
    """What the member chose for ``topic`` (one of ``MODES``), or the settings' default."""
    preference = db.session.get(EmailPreference, (member.id, topic))
    if preference is not None and preference.mode in MODES:
        return preference.mode
    return _default(member, topic)


def channel_for(*, member: Member, topic: str | None) -> str | None:
    """The way this notice goes: "email", "digest", "sms", "push", or None (in the app only).

    A choice the member cannot receive falls back: e-mail without an address → a text when she has a
    phone; a text without a phone (or after STOP) → e-mail; a phone notification without a subscribed
    phone → e-mail, else a text. A notice without a topic (about her account) goes by e-mail, or by text
    to a member without e-mail.
    """
    mode = chosen_mode(member=member, topic=topic) if topic else "now"
    if mode == "never":
        return None
    if mode == "push" and has_push(member):
        return "push"
    if mode == "sms" and can_text(member):
        return "sms"
    if mode in ("now", "digest", "sms", "push") and member.email:
        return "digest" if mode == "digest" else "email"
    if can_text(member):
        return "sms"
    return None


def email_mode(*, member: Member, topic: str) -> str:
    return chosen_mode(member=member, topic=topic)


def email_preferences(*, member: Member) -> dict[str, str]:
    return {topic: chosen_mode(member=member, topic=topic) for topic in TOPICS}


def mode_choices(*, member: Member) -> list[str]:
    """The ways this member can choose from: e-mail only with an address, SMS only with a phone, push only
    with a subscribed phone."""
    modes = ["never"]
    if member.email:
        modes[:0] = ["now", "digest"]
    if member.phone:
        modes.append("sms")
    if has_push(member):
        modes.append("push")
    return modes


def email_preferences_set(*, member: Member, modes: dict[str, str]) -> None:
    """Save how the member wants to be told about each topic."""
    begin_write()
    for topic, mode in modes.items():
        if topic not in TOPICS or mode not in MODES:
            continue
        statement = insert_on_conflict(EmailPreference).values(member_id=member.id, topic=topic, mode=mode)
        db.session.execute(statement.on_conflict_do_update(index_elements=["member_id", "topic"],
                                                           set_={"mode": statement.excluded.mode}))
    db.session.commit()
