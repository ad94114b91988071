"""Neighbourhood projects: a shared garden, a neighbourhood party, welcoming new tenants during a renovation.

``models``: projects, residents' participations in their tasks and the hours they say they gave.
``access``: who opens, edits and confirms (coordinators, admins, the sponsor partner's representatives).
``services``: opening, editing and closing a project, its tasks (requests of the project), joining a task.
``hours``: a resident says her hours; a coordinator or the sponsor confirms (posted from the sponsor's
account) or declines. ``report``: each project's hours and people for the impact report. ``views``: the pages.
"""
