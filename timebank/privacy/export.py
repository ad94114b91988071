"""Everything the timebank keeps about one member, in one ZIP: JSON and CSV files and a README in her language.

Other members appear only by their display name: never their e-mail, phone, number, balance or notes.
``TABLES`` names, for every table that points at a member, the file that holds it or why it is not exported;
a test reads the models so that a new table cannot be forgotten.
"""
from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale

from timebank.audit import AuditEntry, audit
from timebank.csvfile import NUMBER, TEXT, csv_text
from timebank.database import atomic
from timebank.extensions import db
from timebank.members.models import Member


@dataclass(frozen=True)
class NotExported:
    why: str


# Table → the file (without extension) that holds what it keeps about her, or why nothing of it is exported.
TABLES: dict[str, str | NotExported] = {
    "member": "profile",
    "member_language": "profile",
    "email_preference": "profile",
    "listing": "listings",
    "exchange": "exchanges",
    "exchange_event": "exchanges",
    "exchange_message": "exchanges",
    "exchange_dispute": "exchanges",
    "exchange_read": NotExported("only how far she has read each thread, for the unread counts"),
    "group_session": "group_sessions",
    "group_participant": "group_sessions",
    "direct_message": "messages",
    "member_block": "blocked",
    "account": "statement",
    "transfer": "statement",
    "account_limit_change": "limits",
    "notification": "notifications",
    "outbox_message": "emails",
    "report": "reports",
    "member_warning": "warnings",
    "verification": "verifications",
    "member_note": "notes",  # only when the association's setting includes them (see the privacy page)
    "audit_entry": "coordinators_acts",
    "consent": "consents",
    "push_subscription": "phone_notifications",
    "partner_representative": "partners",
    "reward_booking": "rewards",
    "project": NotExported("projects a coordinator or a partner opened; who opened one is in the audit log"),
    "project_participation": "projects",
    "project_hours": "projects",
    "reward": NotExported("rewards a partner published; who published one is in the partner's records"),
    "sign_in_code": NotExported("a one-time sign-in code, kept hashed and useless after ten minutes"),
    "outbox_skip": NotExported("only a count of texts not sent because of a daily limit: no words, no number"),
    "sign_in": "sign_ins",
    "erasure_request": "erasure",
    "setting": NotExported("the association's settings an admin saved: no data about a member"),
    "invitation": NotExported("invitation links an admin made for other people"),
    "member_import": NotExported("a record that an admin imported a spreadsheet once"),
    "form_use": NotExported("technical keys that stop a form from being sent twice"),
}

REPORTER_WORDS = {"listing_hidden", "message_hidden"}

NUMBERS = {"minutes", "balance_after", "number", "done_minutes", "share_minutes", "floor", "ceiling",
           "old_floor", "old_ceiling", "duration_minutes", "max_participants", "resolution_minutes", "amount"}


def _plain(value):
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if hasattr(value, "value") and not isinstance(value, (int, str)):
        return value.value  # an enum
    return value


def _name(member: Member | None) -> str | None:
    return member.display_name if member is not None else None


def _rows(query) -> list:
    return list(db.session.scalars(query))


def member_data(member: Member, *, with_message_texts: bool = True) -> dict[str, list[dict] | dict]:
    """What the timebank keeps about ``member``, as plain values, file by file."""
    from timebank.coordination.models import MemberNote, MemberWarning, Verification
    from timebank.exchanges.models import Dispute, Exchange, GroupParticipant, GroupSession
    from timebank.ledger import services as ledger
    from timebank.ledger.models import AccountLimitChange
    from timebank.listings.models import Listing, Report
    from timebank.messages.models import Block, DirectMessage
    from timebank.notifications.messages import notification_text
    from timebank.notifications.models import Notification, OutboxMessage
    from timebank.notifications.services import email_preferences
    from timebank.privacy.models import Consent, ErasureRequest, SignIn

    me = member.id
    data: dict = {}
    data["profile"] = {
        "number": member.number, "display_name": member.display_name, "email": member.email, "phone": member.phone,
        "area": member.area, "bio": member.bio, "languages": member.language_codes, "language": member.locale,
        "contact_visibility": _plain(member.contact_visibility), "role": _plain(member.role),
        "status": _plain(member.status), "joined": _plain(member.created_at),
        "charter_accepted": _plain(member.charter_accepted_at), "last_seen": _plain(member.last_seen_at),
        "verified": _plain(member.verified_at), "verified_until": _plain(member.verified_until),
        "brokered": member.brokered, "notify_matches": member.notify_matches,
        "trusted_helper": _name(member.helper), "email_preferences": email_preferences(member=member),
    }
    data["listings"] = [{
        "id": listing.id, "type": _plain(listing.type), "title": listing.title, "description": listing.description,
        "category": listing.category.name(member.locale), "tags": listing.tags, "area": listing.area,
        "languages": " ".join(listing.language_codes), "duration_minutes": listing.duration_minutes,
        "availability": listing.availability, "ends_on": _plain(listing.ends_on), "status": _plain(listing.status),
        "created": _plain(listing.created_at), "hidden_by_a_coordinator": _plain(listing.hidden_at),
    } for listing in _rows(sa.select(Listing).where(Listing.member_id == me).order_by(Listing.id))]
    exchanges = _rows(sa.select(Exchange).where(sa.or_(Exchange.provider_id == me, Exchange.recipient_id == me))
                      .order_by(Exchange.id))
    data["exchanges"] = [{
        "id": exchange.id, "title": exchange.title, "role": "provider" if exchange.provider_id == me else "recipient",
        "with": _name(exchange.counterpart(member)), "minutes": exchange.minutes, "date": _plain(exchange.on_date),
        "time": _plain(exchange.at_time), "state": _plain(exchange.state), "done_minutes": exchange.done_minutes,
        "created": _plain(exchange.created_at), "finished": _plain(exchange.finished_at),
        "steps": [{"step": event.kind, "by": _name(event.actor), "at": _plain(event.created_at),
                   **{key: value for key, value in (event.detail or {}).items() if key != "by"}}
                  for event in exchange.events],
        "messages": [{"from": _name(message.author), "at": _plain(message.created_at), "text": message.body}
                     for message in exchange.messages],
        "disputes": [{"opened_by": _name(dispute.opened_by), "reason": dispute.reason,
                      "opened": _plain(dispute.opened_at), "resolution": dispute.resolution,
                      "resolution_minutes": dispute.resolution_minutes, "resolution_reason": dispute.resolution_reason,
                      "resolved": _plain(dispute.resolved_at)}
                     for dispute in _rows(sa.select(Dispute).where(Dispute.exchange_id == exchange.id))],
    } for exchange in exchanges]
    sessions = _rows(sa.select(GroupSession).where(sa.or_(
        GroupSession.provider_id == me,
        GroupSession.id.in_(sa.select(GroupParticipant.session_id).where(GroupParticipant.member_id == me))))
        .order_by(GroupSession.id))
    data["group_sessions"] = [{
        "id": group.id, "title": group.title, "organiser": _name(group.provider),
        "role": "organiser" if group.provider_id == me else "participant", "share_minutes": group.share_minutes,
        "date": _plain(group.on_date), "state": _plain(group.state),
    } for group in sessions]
    data["messages"] = [{
        "id": message.id, "direction": "sent" if message.sender_id == me else "received",
        "with": _name(message.recipient if message.sender_id == me else message.sender),
        "at": _plain(message.created_at), "read": _plain(message.read_at), "text": message.body,
        "hidden_by_a_coordinator": _plain(message.hidden_at),
    } for message in _rows(sa.select(DirectMessage).where(
        sa.or_(DirectMessage.sender_id == me, DirectMessage.recipient_id == me)).order_by(DirectMessage.id))]
    data["blocked"] = [{"member": _name(db.session.get(Member, block.blocked_id)), "since": _plain(block.created_at)}
                       for block in _rows(sa.select(Block).where(Block.blocker_id == me))]
    account = ledger.account_of(member)
    data["statement"] = [] if account is None else [{
        "date": _plain(line.transfer.created_at), "with": ledger.account_label(line.counterpart),
        "kind": _plain(line.transfer.kind), "minutes": line.minutes, "balance_after": line.balance_after,
        "memo": line.transfer.memo, "exchange": line.transfer.exchange_id,
    } for line in reversed(ledger.statement_all(account=account))]
    if account is not None:
        data["statement"] += [{
            "date": _plain(pending.created_at), "with": ledger.account_label(
                pending.credit_account if pending.debit_account_id == account.id else pending.debit_account),
            "kind": "reserved", "minutes": -pending.minutes if pending.debit_account_id == account.id
            else pending.minutes, "balance_after": None, "memo": pending.memo, "exchange": pending.exchange_id,
        } for pending in ledger.reservations(account=account)]
    data["limits"] = [] if account is None else [{
        "at": _plain(change.created_at), "old_floor": change.old_floor, "old_ceiling": change.old_ceiling,
        "floor": change.floor, "ceiling": change.ceiling, "reason": change.reason,
    } for change in _rows(sa.select(AccountLimitChange).where(AccountLimitChange.account_id == account.id))]
    with force_locale(member.locale):
        data["notifications"] = [{
            "at": _plain(notice.created_at), "text": notification_text(notice.kind, notice.params or {}),
            "read": _plain(notice.read_at), "link": notice.link,
        } for notice in _rows(sa.select(Notification).where(Notification.member_id == me).order_by(Notification.id))]
    data["emails"] = [{
        "at": _plain(mail.created_at), "to": mail.to_address, "subject": mail.subject,
        "text": mail.body if with_message_texts and mail.topic != "sign_in" else "", "sent": _plain(mail.sent_at),
    } for mail in _rows(sa.select(OutboxMessage).where(OutboxMessage.member_id == me).order_by(OutboxMessage.id))]
    data["reports"] = [{
        "at": _plain(report.created_at), "about_listing": report.listing.title if report.listing else None,
        "about_member": _name(report.member), "reason": report.reason, "outcome": report.outcome,
    } for report in _rows(sa.select(Report).where(Report.reporter_id == me).order_by(Report.id))]
    data["warnings"] = [{"at": _plain(warning.created_at), "from": _name(warning.author), "text": warning.body,
                         "read": _plain(warning.read_at)}
                        for warning in _rows(sa.select(MemberWarning).where(MemberWarning.member_id == me))]
    data["verifications"] = [{
        "at": _plain(check.created_at), "by": _name(check.verified_by), "checked": check.checked,
        "until": _plain(check.expires_on), "ended": _plain(check.ended_at), "end_reason": check.end_reason,
    } for check in _rows(sa.select(Verification).where(Verification.member_id == me))]
    if current_app.config["TIMEBANK_EXPORT_NOTES"]:
        data["notes"] = [{"at": _plain(note.created_at), "by": _name(note.author), "text": note.body}
                         for note in _rows(sa.select(MemberNote).where(MemberNote.member_id == me))]
    data["coordinators_acts"] = [{
        "at": _plain(entry.created_at), "action": entry.action, "by": _name(entry.actor),
        # A report's reason is the reporter's words about her: they could name the reporter.
        "reason": "" if entry.action.startswith("report_") or entry.action in REPORTER_WORDS else entry.reason,
    } for entry in _rows(sa.select(AuditEntry).where(AuditEntry.member_id == me).order_by(AuditEntry.id))]
    data["consents"] = [{"kind": consent.kind, "given": consent.given, "version": consent.version,
                         "at": _plain(consent.created_at)}
                        for consent in _rows(sa.select(Consent).where(Consent.member_id == me).order_by(Consent.id))]
    from urllib.parse import urlsplit

    from timebank.notifications.models import PushSubscription

    data["phone_notifications"] = [{"since": _plain(phone.created_at), "service": urlsplit(phone.endpoint).hostname}
                                   for phone in _rows(sa.select(PushSubscription)
                                                      .where(PushSubscription.member_id == me)
                                                      .order_by(PushSubscription.id))]
    from timebank.partners.models import Booking, Representative, Reward

    data["partners"] = [{"partner": row.partner.name, "since": _plain(row.created_at)} for row in _rows(
        sa.select(Representative).where(Representative.member_id == me).order_by(Representative.id))]
    data["rewards"] = [{"reward": booking.reward.title, "partner": booking.reward.partner.name,
                        "minutes": booking.reward.minutes, "state": _plain(booking.state), "booked": _plain(booking.created_at)}
                       for booking in _rows(sa.select(Booking).where(Booking.member_id == me).order_by(Booking.id))]
    from timebank.projects.models import Participation, ProjectHours

    data["projects"] = [{"project": hours.participation.project.title, "task": hours.participation.task.title,
                         "name_shown": hours.participation.shown, "minutes": hours.minutes, "note": hours.note,
                         "state": _plain(hours.state), "said": _plain(hours.created_at),
                         "decided": _plain(hours.decided_at), "by": _name(hours.decided_by), "reason": hours.reason}
                        for hours in _rows(sa.select(ProjectHours).join(Participation).where(
                            Participation.member_id == me).order_by(ProjectHours.id))]
    data["projects"] += [{"project": row.project.title, "task": row.task.title, "name_shown": row.shown,
                          "joined": _plain(row.created_at)}
                         for row in _rows(sa.select(Participation).where(Participation.member_id == me)
                                          .order_by(Participation.id))]
    data["sign_ins"] = [{"at": _plain(sign_in.created_at)} for sign_in in _rows(
        sa.select(SignIn).where(SignIn.member_id == me).order_by(SignIn.id))]
    data["erasure"] = [{"asked": _plain(request.created_at), "due": _plain(request.due_at),
                        "cancelled": _plain(request.cancelled_at), "reason": request.reason}
                       for request in _rows(sa.select(ErasureRequest).where(ErasureRequest.member_id == me))]
    return data


def _flat(row: dict) -> dict:
    """One CSV row: lists and dicts written as JSON in their cell."""
    return {key: json.dumps(value, ensure_ascii=False, default=str) if isinstance(value, (list, dict)) else value
            for key, value in row.items()}


def _csv(rows: list[dict] | dict) -> str:
    rows = [rows] if isinstance(rows, dict) else rows
    header = list(dict.fromkeys(key for row in rows for key in row)) or ["empty"]
    kinds = [NUMBER if key in NUMBERS else TEXT for key in header]
    return csv_text(header, kinds, ([_flat(row).get(key) for key in header] for row in rows))


def member_data_zip(*, member: Member, for_someone_else: bool = False) -> bytes:
    """The ZIP a member downloads: each file as JSON and CSV, and README.txt in her language.

    Made by a coordinator, it leaves out the words of the messages sent to her: a password-reset link or a
    sign-in code in them would open her account to whoever holds the ZIP.
    """
    data = member_data(member, with_message_texts=not for_someone_else)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        with force_locale(member.locale):
            archive.writestr("README.txt", render_template(
                "privacy/readme.txt", member=member, files=sorted(data), notes=current_app.config[
                    "TIMEBANK_EXPORT_NOTES"]))
        for name, rows in data.items():
            archive.writestr(f"{name}.json", json.dumps(rows, ensure_ascii=False, indent=2, default=str))
            archive.writestr(f"{name}.csv", _csv(rows))
    return buffer.getvalue()


def member_data_zip_for(*, member: Member, actor: Member) -> bytes:
    """A coordinator produces the ZIP for a member (without a phone, say): the act is in the audit log."""
    from timebank.coordination.permissions import check_may_manage

    check_may_manage(actor=actor, member=member)  # a coordinator, and only for an ordinary member
    body = member_data_zip(member=member, for_someone_else=True)
    atomic(lambda: audit(actor=actor, action="member_data_exported", member=member, target=f"member {member.id}"))
    return body


def zip_name(member: Member) -> str:
    return f"timebank-data-{member.number}-{datetime.now():%Y-%m-%d}.zip"
