"""Which way a notice goes: what the member chose, and what she can receive."""
from __future__ import annotations

import sqlalchemy as sa

from tests.factories import member
from timebank.extensions import db
from timebank.members.models import Member
from timebank.notifications.channels import channel_for, mode_choices
from timebank.notifications.services import email_preferences_set
from timebank.timeutil import utcnow


def test_each_choice_falls_back_to_what_the_member_can_receive(app, people):
    amina = people.member("Amina Diallo")  # e-mail, no phone yet
    fatou = people.member("Fatou Sow", email=None)  # neither, yet
    with app.app_context():
        a, f = member(amina), member(fatou)
        assert channel_for(member=a, topic="exchanges") == "email"
        assert channel_for(member=a, topic=None) == "email"
        assert channel_for(member=f, topic="exchanges") is None  # in the app only
        assert mode_choices(member=f) == ["never"]

        email_preferences_set(member=a, modes={"exchanges": "sms", "hours": "push", "messages": "digest",
                                               "reminders": "never"})
        a = member(amina)
        assert channel_for(member=a, topic="exchanges") == "email"  # no phone: by e-mail
        assert channel_for(member=a, topic="hours") == "email"  # no phone that takes notifications
        assert channel_for(member=a, topic="messages") == "digest"
        assert channel_for(member=a, topic="reminders") is None

        db.session.execute(sa.update(Member).values(phone="06 12 34 56 78"))
        db.session.commit()
        a, f = member(amina), member(fatou)
        assert channel_for(member=a, topic="exchanges") == "sms"
        assert channel_for(member=a, topic="matches") == "email"  # the default, for a member with e-mail
        assert channel_for(member=f, topic="matches") == "sms"  # the default, for a member without
        assert channel_for(member=f, topic=None) == "sms"
        assert mode_choices(member=a) == ["now", "digest", "never", "sms"]

        a.sms_stopped_at = f.sms_stopped_at = utcnow()  # STOP
        db.session.commit()
        assert channel_for(member=member(amina), topic="exchanges") == "email"
        assert channel_for(member=member(fatou), topic="matches") is None
