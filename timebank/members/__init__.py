"""Members: registration, sign-in, profile, roles and statuses."""
