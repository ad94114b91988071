"""The menu's counts, given to every page (they read the features, hence this module sits
above them, next to the app factory)."""
from __future__ import annotations

from functools import cache
from types import SimpleNamespace

from flask import Flask, has_request_context
from flask_login import current_user


def _menu_counts(me) -> list:
    """The menu's three counts as SQL for the member whose id is ``me``: unread notices, exchange messages and
    direct messages."""
    from timebank.exchanges.conversation import unread_messages_query
    from timebank.messages.services import unread_direct_query
    from timebank.notifications.services import notifications_unread_query

    member = SimpleNamespace(id=me)  # what the three queries read of a member
    return [query(member=member).scalar_subquery()
            for query in (notifications_unread_query, unread_messages_query, unread_direct_query)]


@cache
def _counts_statement():
    """The menu's three counts in one round trip, built once with the member's id as a parameter ``me``."""
    import sqlalchemy as sa

    return sa.select(*_menu_counts(sa.bindparam("me", type_=sa.Integer)))


@cache
def _member_and_menu_statement():
    """A member by her session token, with her oldest unread warning and the menu's three counts: every page of a
    signed-in member reads them, in one round trip. Built once."""
    import sqlalchemy as sa

    from timebank.coordination.services import unread_warning_column
    from timebank.members.models import Member, MemberLanguage

    token = sa.bindparam("token", type_=sa.String)
    # The member's id as the counts ask it: her row found again by the token, never correlated with the outer row.
    me = sa.select(Member.id).where(Member.session_token == token).correlate(None).scalar_subquery()
    # The languages she speaks, as the listings order their results for her (``listings.search.Reader``).
    spoken = (sa.select(sa.func.aggregate_strings(MemberLanguage.code, ","))
              .where(MemberLanguage.member_id == Member.id).scalar_subquery())
    return (sa.select(Member, unread_warning_column(), spoken, *_menu_counts(me))
            .where(Member.session_token == token))


def member_and_menu(token: str | None):
    """The signed-in member (Flask-Login's user loader) with what her first page needs beside her: the warning she
    must read first (``warnings_first``), the languages she speaks (``listings.search.Reader``) and the menu's
    counts (``navigation``); the last two unless the request wrote since."""
    from timebank.extensions import db

    if not token or not isinstance(token, str) or len(token) > 64:
        return None
    row = db.session.execute(_member_and_menu_statement(), {"token": token}).first()
    if row is None:
        return None
    member, warning_id, spoken, notices, messages, direct = row
    member.unread_warning_id = warning_id  # for this request only
    member.spoken_codes = tuple(sorted(spoken.split(","))) if spoken else ()
    member.menu_counts = (notices, messages, direct)
    return member


def register_navigation(app: Flask) -> None:
    @app.context_processor
    def navigation():
        me = current_user._get_current_object() if has_request_context() else None  # once, not a proxy each time
        if me is None or not me.is_authenticated:
            return {"unread_notifications": 0, "unread_messages": 0, "unread_direct": 0, "menu_key": "visitor"}
        from timebank.database import committed_in_this_context
        from timebank.extensions import db

        counts = getattr(me, "menu_counts", None)
        if counts is None or committed_in_this_context():  # a page that marked something read, say
            counts = db.session.execute(_counts_statement(), {"me": me.id}).one()
        notices, messages, direct = counts
        if not me.is_active_member:
            messages = direct = 0
        # Everything the menu shows depends on: its rendering is kept under this key (templates/base.html).
        key = f"{me.status.value}:{me.role.value}:{notices}:{messages}:{direct}"
        return {"unread_notifications": notices, "unread_messages": messages, "unread_direct": direct,
                "menu_key": key}
