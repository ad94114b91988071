"""The association's administration (admins only)."""
