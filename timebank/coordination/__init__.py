"""Coordination: what coordinators do for the community (approval queue for now)."""
