"""The menu's counts, given to every page (they read the features, hence this module sits
above them, next to the app factory)."""
from __future__ import annotations

from functools import cache
from types import SimpleNamespace

from flask import Flask, has_request_context
from flask_login import current_user


@cache
def _counts_statement():
    """The menu's three counts in one round trip, built once with the member's id as a parameter ``me``."""
    import sqlalchemy as sa

    from timebank.exchanges.conversation import unread_messages_query
    from timebank.messages.services import unread_direct_query
    from timebank.notifications.services import notifications_unread_query

    me = SimpleNamespace(id=sa.bindparam("me", type_=sa.Integer))  # what the three queries read of a member
    return sa.select(notifications_unread_query(member=me).scalar_subquery(),
                     unread_messages_query(member=me).scalar_subquery(),
                     unread_direct_query(member=me).scalar_subquery())


def register_navigation(app: Flask) -> None:
    @app.context_processor
    def navigation():
        signed_in = has_request_context() and current_user.is_authenticated
        if not signed_in:
            return {"unread_notifications": 0, "unread_messages": 0, "unread_direct": 0, "menu_key": "visitor"}
        from timebank.extensions import db

        notices, messages, direct = db.session.execute(_counts_statement(), {"me": current_user.id}).one()
        if not current_user.is_active_member:
            messages = direct = 0
        # Everything the menu shows depends on: its rendering is kept under this key (templates/base.html).
        key = f"{current_user.status.value}:{current_user.role.value}:{notices}:{messages}:{direct}"
        return {"unread_notifications": notices, "unread_messages": messages, "unread_direct": direct,
                "menu_key": key}
