"""The hour ledger: accounts, immutable transfers, balances and their verification.

Nothing outside this package writes the ``account`` or ``transfer`` tables.
"""
