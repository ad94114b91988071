"""Import every model so the metadata (and Alembic) knows every table."""
from timebank.members.models import Member, MemberLanguage  # noqa: F401
from timebank.notifications.models import (  # noqa: F401
    EmailPreference, Notification, OutboxMessage, OutboxSkip, PushSubscription)
from timebank.ledger.models import Account, AccountLimitChange, Transfer  # noqa: F401
from timebank.listings.models import Category, Listing, ListingLanguage, Report  # noqa: F401
from timebank.exchanges.models import (  # noqa: F401
    Dispute,
    Exchange,
    ExchangeEvent,
    ExchangeMessage,
    ExchangeRead,
    GroupParticipant,
    GroupSession,
)
from timebank.messages.models import Block, DirectMessage  # noqa: F401
from timebank.audit import AuditEntry  # noqa: F401
from timebank.coordination.models import MemberNote  # noqa: F401
from timebank.coordination.models import MemberWarning, Verification  # noqa: F401
from timebank.admin.models import MemberImport, Setting  # noqa: F401
from timebank.members.invitations import Invitation  # noqa: F401
from timebank.members.texts import SignInCode  # noqa: F401
from timebank.scheduler import JobRun  # noqa: F401
from timebank.idempotency import FormUse  # noqa: F401
from timebank.privacy.models import Consent, ErasureRequest, SignIn  # noqa: F401
from timebank.partners.models import Booking, Partner, Representative, Reward  # noqa: F401
from timebank.projects.models import Participation, Project, ProjectHours  # noqa: F401
from timebank.reports.models import (  # noqa: F401
    MonthBalances, MonthCommunity, MonthExchanges, MonthMembers, RollupState)
