"""Exchanges: two residents agree a service, one does it, the other confirms, and the hours move."""
