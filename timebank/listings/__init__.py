"""Offers and requests: categories, listings, search, matching and reports."""
