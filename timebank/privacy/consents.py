"""What a member agreed to — the charter (its version), being shown in the directory, her phone seen by every
member, text messages, push notifications — recorded with the date and version each time she gives or withdraws it.

The rows are written where the agreement is given: joining (the charter), the charter page, the profile (who sees
her phone) — through a hook on the session, since the members' layer sits below this one — and the "My data" page.
Other features call ``record_consent``.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import current_app

from timebank.extensions import db
from timebank.members.models import ContactVisibility, Member
from timebank.notifications.models import PushSubscription
from timebank.notifications.push import push_subscriptions_of
from timebank.privacy.models import CONSENT_KINDS, Consent
from timebank.timeutil import utcnow


def charter_version() -> str:
    """The version of the charter in force: when it was last changed (or "1" if never since the start)."""
    return (current_app.config.get("TIMEBANK_CHARTER_CHANGED_AT") or "1")[:40]


def record_consent(member: Member, kind: str, given: bool, version: str | None = None) -> Consent | None:
    """Record that ``member`` gave (or withdrew) her agreement to ``kind`` now (joins the caller's transaction).

    Nothing is written when it says what the last record already says.
    """
    if kind not in CONSENT_KINDS:
        raise ValueError(f"unknown consent {kind!r}")
    if member.id is not None:
        last = _last(member.id, kind)
        if last is not None and last.given == given and (version is None or last.version == version):
            return None
    consent = Consent(member=member, kind=kind, given=bool(given), version=version, created_at=utcnow())
    db.session.add(consent)
    return consent


def _last(member_id: int, kind: str) -> Consent | None:
    with db.session.no_autoflush:
        pending = [c for c in db.session.new if isinstance(c, Consent) and c.member_id == member_id and c.kind == kind]
        if pending:
            return pending[-1]
        return db.session.scalar(sa.select(Consent).where(Consent.member_id == member_id, Consent.kind == kind)
                                 .order_by(Consent.id.desc()).limit(1))


def consents_current(member: Member) -> dict[str, Consent | None]:
    """The last record of each kind for ``member`` (None: never asked)."""
    rows = db.session.scalars(sa.select(Consent).where(Consent.member_id == member.id).order_by(Consent.id)).all()
    current: dict[str, Consent | None] = dict.fromkeys(CONSENT_KINDS)
    for row in rows:
        current[row.kind] = row
    return current


def consent_given(member: Member, kind: str, *, default: bool = True) -> bool:
    last = consents_current(member)[kind]
    return default if last is None else last.given


def consents_save(*, member: Member, choices: dict[str, bool]) -> list[str]:
    """The member's choices on her "My data" page; returns the kinds that changed."""
    from timebank.database import atomic

    def work():
        changed = []
        for kind, given in choices.items():
            if kind == "phone_visible":
                # The profile's "who sees my phone" is the same agreement: both stay in step.
                if given:
                    member.contact_visibility = ContactVisibility.MEMBERS
                elif member.contact_visibility is ContactVisibility.MEMBERS:
                    member.contact_visibility = ContactVisibility.COUNTERPARTS
            if kind == "sms":
                # The same switch as the profile's and STOP: texts stop (or start again) at once.
                was_on = member.sms_stopped_at is None
                member.sms_stopped_at = None if given else (member.sms_stopped_at or utcnow())
                if was_on != given:
                    changed.append(kind)
                continue  # recorded by the flush hook, like every other way of turning texts off
            if kind == "push":
                if not given and push_subscriptions_of(member):
                    for subscription in push_subscriptions_of(member):
                        db.session.delete(subscription)  # the flush hook records the withdrawal
                    changed.append(kind)
                continue  # turned on from the profile, on the phone that takes them
            if record_consent(member, kind, given) is not None:
                changed.append(kind)
        return changed

    return atomic(work)


def _note_agreements(session, flush_context, instances) -> None:
    """Before a flush: record the charter accepted and the phone shown to every member, wherever it was set."""
    for member in list(session.new) + list(session.dirty):
        if not isinstance(member, Member):
            continue
        state = sa.inspect(member)
        charter = state.attrs.charter_accepted_at.history
        if charter.added and charter.added[0] is not None:
            record_consent(member, "charter", True, charter_version())
        texts = state.attrs.sms_stopped_at.history
        if member.id is not None and texts.added and (texts.deleted or texts.added[0] is not None):
            record_consent(member, "sms", texts.added[0] is None)
        visibility = state.attrs.contact_visibility.history
        if visibility.added and (member.id is not None or visibility.added[0] is ContactVisibility.MEMBERS):
            record_consent(member, "phone_visible", visibility.added[0] is ContactVisibility.MEMBERS)
    _note_phones(session)


def _note_phones(session) -> None:
    """Phone notifications turned on (a new subscription) or off (her last one deleted) are agreements too."""
    with session.no_autoflush:
        for subscription in session.new:
            if isinstance(subscription, PushSubscription) and subscription.member_id is not None:
                member = session.get(Member, subscription.member_id)
                if member is not None:
                    record_consent(member, "push", True)
        for subscription in session.deleted:
            if isinstance(subscription, PushSubscription):
                left = [other for other in session.scalars(sa.select(PushSubscription).where(
                    PushSubscription.member_id == subscription.member_id)) if other not in session.deleted]
                member = session.get(Member, subscription.member_id)
                if member is not None and not left:
                    record_consent(member, "push", False)


def _note_sign_in(sender, user, **extra) -> None:
    from timebank.privacy.models import SignIn

    db.session.add(SignIn(member_id=user.id, created_at=utcnow()))
    db.session.commit()


def register_consents(app) -> None:
    """Connect the hooks that record agreements and sign-ins (the factory calls it)."""
    from flask_login import user_logged_in

    if not sa.event.contains(db.session, "before_flush", _note_agreements):
        sa.event.listen(db.session, "before_flush", _note_agreements)
    user_logged_in.connect(_note_sign_in, app, weak=False)
