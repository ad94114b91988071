"""Conversations between two members, and blocking."""
