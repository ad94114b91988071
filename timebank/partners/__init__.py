"""Partner organisations (the association, the social landlord, the school, local venues) and their rewards.

``models``: partners, their representatives, rewards and bookings. ``services``: partners and
representatives (admins). ``rewards``: publishing, booking, using, releasing rewards. ``views``: the
public pages and the representatives' page; ``admin_views``: /admin/partners.
"""
