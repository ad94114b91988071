"""The menu's counts and sign-out form, given to every page (they read the features, hence this module sits
above them, next to the app factory)."""
from __future__ import annotations

from flask import Flask, has_request_context
from flask_login import current_user


def register_navigation(app: Flask) -> None:
    @app.context_processor
    def navigation():
        from timebank.members.forms import LogoutForm

        signed_in = has_request_context() and current_user.is_authenticated
        if not signed_in:
            return {"logout_form": None, "unread_notifications": 0, "unread_messages": 0, "unread_direct": 0}
        import sqlalchemy as sa

        from timebank.exchanges.conversation import unread_messages_query
        from timebank.extensions import db
        from timebank.messages.services import unread_direct_query
        from timebank.notifications.services import notifications_unread_query

        # The three counts of the menu in one round trip.
        notices, messages, direct = db.session.execute(sa.select(
            notifications_unread_query(member=current_user).scalar_subquery(),
            unread_messages_query(member=current_user).scalar_subquery(),
            unread_direct_query(member=current_user).scalar_subquery())).one()
        active = current_user.is_active_member
        return {"logout_form": LogoutForm(formdata=None), "unread_notifications": notices,
                "unread_messages": messages if active else 0, "unread_direct": direct if active else 0}
