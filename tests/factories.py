"""Small factories with defaults, for tests that tell stories with named residents."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from timebank.extensions import db
from timebank.members.models import Member, Role, Status
from timebank.members.services import member_create
from timebank.notifications.models import OutboxMessage

PASSWORD = "correct horse battery"


@dataclass(frozen=True)
class Resident:
    id: int
    number: int
    email: str | None
    name: str
    password: str = PASSWORD


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str
    locale: str
    sent: bool
    attempts: int


class Factory:
    def __init__(self, app):
        self.app = app

    def member(
        self,
        name: str = "Amina Diallo",
        *,
        email: str | None = "",
        role: Role = Role.MEMBER,
        status: Status = Status.ACTIVE,
        locale: str = "en",
        area: str = "Les Tilleuls",
        languages=("fr", "ar"),
        password: str = PASSWORD,
    ) -> Resident:
        if email == "":
            email = name.split()[0].lower() + "@example.org"
        with self.app.app_context():
            member = member_create(display_name=name, email=email, password=password, role=role, status=status,
                                   locale=locale, area=area, languages=languages)
            db.session.commit()
            return Resident(member.id, member.number, member.email, member.display_name, password)

    def coordinator(self, name: str = "Sandrine Martin", **kwargs) -> Resident:
        return self.member(name, role=Role.COORDINATOR, **kwargs)

    def admin(self, name: str = "Claire Dubois", **kwargs) -> Resident:
        return self.member(name, role=Role.ADMIN, **kwargs)

    def applicant(self, name: str = "Nadia Haddad", **kwargs) -> Resident:
        return self.member(name, status=Status.PENDING, **kwargs)

    def get(self, resident: Resident) -> dict:
        """What the database now says of a member, as plain values."""
        with self.app.app_context():
            member = db.session.get(Member, resident.id)
            return {
                "status": member.status.value,
                "role": member.role.value,
                "email": member.email,
                "locale": member.locale,
                "display_name": member.display_name,
                "area": member.area,
                "languages": member.language_codes,
                "phone": member.phone,
                "bio": member.bio,
                "contact_visibility": member.contact_visibility.value,
                "password_hash": member.password_hash,
                "decided_by_id": member.decided_by_id,
            }

    def count_members(self) -> int:
        with self.app.app_context():
            return db.session.scalar(sa.select(sa.func.count()).select_from(Member))

    def outbox(self, to: str | None = None) -> list[Mail]:
        with self.app.app_context():
            query = sa.select(OutboxMessage).order_by(OutboxMessage.id)
            if to:
                query = query.where(OutboxMessage.to_address == to)
            return [
                Mail(m.to_address, m.subject, invisible_isolates_removed(m.body), m.locale, m.sent_at is not None,
                     m.attempts)
                for m in db.session.scalars(query)
            ]


def invisible_isolates_removed(text: str) -> str:
    """A plain-text e-mail as a person reads it: names sit between invisible isolate marks (FSI … PDI)."""
    return text.replace("\u2068", "").replace("\u2069", "")


def account(resident: Resident):
    """The ledger account of a resident, in the current application context."""
    from timebank.ledger.services import account_of

    return account_of(db.session.get(Member, resident.id))


def member(resident: Resident) -> Member:
    return db.session.get(Member, resident.id)


def category_id(slug: str) -> int:
    from timebank.listings.models import Category

    return db.session.scalar(sa.select(Category.id).where(Category.slug == slug))


def publish(app, resident: Resident, title: str, *, kind: str = "offer", category: str = "translation",
            description: str = "", languages=("fr",), area: str | None = "Les Tilleuls", tags: str = "",
            ends_on=None, partner_id: int | None = None) -> int:
    """Publish a listing through the service, as its author would (``partner_id``: for a partner she represents);
    returns its id."""
    from timebank.listings.models import ListingType
    from timebank.listings.services import ListingFields, listing_create

    with app.test_request_context(headers={"Accept-Language": "en"}):  # its refusals read in English
        listing = listing_create(author=member(resident), locale="en", fields=ListingFields(
            type=ListingType(kind), title=title, description=description, category_id=category_id(category),
            tags=tags, languages=tuple(languages), area=area, duration_minutes=None, availability="",
            ends_on=ends_on, partner_id=partner_id))
        return listing.id
