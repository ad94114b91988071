"""Giving time: hours to a member or to the community account, welcome hours and community grants.

A feature above the ledger: it records the past exchange, posts the transfer through the ledger's
services, and tells the people concerned.
"""
