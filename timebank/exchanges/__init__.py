"""Exchanges: two residents agree a service, one does it, the other confirms, and the hours move.

The state machine, one module per stage (each step checked there, one transaction with its ledger effect):

    proposed ──accept──▶ agreed ──mark done──▶ done ──confirm / auto-confirm──▶ completed
       │ ▲ counter          │                    │
       └─decline / cancel───┴──cancel (void)─────┘

    proposals.py     propose, counter, accept, decline, cancel
    completion.py    mark done, confirm
    auto_confirm.py  the daily reminders and auto-confirmation
    disputes.py      opening a dispute; what coordinators see
    resolution.py    resolving a dispute, corrections in the ledger
    past.py          a service already given, a brokered exchange
    conversation.py  the exchange's messages
    reading.py       lists, next actions, the calendar file
    steps.py         what every stage uses (terms, timeline, telling people)
    groups.py        group sessions

The recipient pays: accepting reserves the hours from the recipient's account
(two-phase transfer), confirming posts them, cancelling voids them.
"""
