"""Timebank: a neighbourhood timebank where one hour of any service is one hour."""
from __future__ import annotations

from pathlib import Path

from flask import Flask

from timebank.config import load_config

ROOT = Path(__file__).resolve().parent.parent


class TimebankApp(Flask):
    """Flask, with a configuration where the settings an admin saved win over the file."""

    from timebank.admin.settings_store import InstanceConfig as config_class


def create_app(test_config: dict | None = None) -> Flask:
    app = TimebankApp(
        __name__,
        instance_path=str(ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    load_config(app, test_config)
    app.extensions["timebank.create_app"] = create_app  # a restore builds a scratch instance with it
    register_proxy(app)
    register_extensions(app)
    register_blueprints(app)
    register_errors(app)
    register_templates(app)
    register_cli(app)
    register_jobs(app)
    register_signals(app)
    return app


def register_proxy(app: Flask) -> None:
    """Behind a reverse proxy, take the visitor's address and scheme from the headers the proxies add."""
    count = int(app.config["TIMEBANK_PROXY_COUNT"] or 0)
    if count > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)


def register_extensions(app: Flask) -> None:
    from timebank import models  # noqa: F401  (every table known to the metadata)
    from timebank.database import register_database
    from timebank.extensions import babel, csrf, db, fragments, limiter, login_manager, migrate
    from timebank.fastpaths import register_fastpaths
    from timebank.i18n import register_i18n, select_locale
    from timebank.security import register_security

    db.init_app(app)
    register_database(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, default_translation_directories="translations")
    limiter.init_app(app)
    fragments.init_app(app, config={"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": 2000,
                                    "CACHE_DEFAULT_TIMEOUT": 3600})

    login_manager.init_app(app)
    login_manager.login_view = "members.login"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    from timebank.navigation import member_and_menu

    # Sessions and "stay signed in" cookies carry the member's session token, never her id. The same query
    # tells whether a coordinator's warning waits for her (warnings_first) and the menu's counts.
    login_manager.user_loader(member_and_menu)
    from flask_babel import lazy_gettext

    login_manager.login_message = lazy_gettext("Please sign in to see this page.")

    register_i18n(app)
    register_fastpaths(app)
    register_security(app)
    from timebank.admin.settings_store import register_settings

    register_settings(app)


def register_blueprints(app: Flask) -> None:
    from werkzeug.routing import IntegerConverter

    class IdConverter(IntegerConverter):
        """A database id: an id too large for the database is simply not found."""

        def __init__(self, url_map):
            super().__init__(url_map, min=1, max=2**31 - 1)

    app.url_map.converters["id"] = IdConverter
    from timebank.admin import (  # noqa: F401  (their routes join the admin blueprint)
        categories_views,
        exports_views,
        imports_views,
        outbox_views,
        people_views,
        settings_views,
    )
    from timebank.admin.backup_views import bp as backup
    from timebank.admin.views import bp as admin
    from timebank.coordination.acting_views import bp as acting
    from timebank.coordination.acting_views import warnings_first
    from timebank.coordination import dispute_views  # noqa: F401  (its routes join the coordination blueprint)
    from timebank.coordination import member_file_views  # noqa: F401  (its routes join the coordination blueprint)
    from timebank.coordination.views import bp as coordination
    from timebank.exchanges import group_views  # noqa: F401  (its routes join the exchanges blueprint)
    from timebank.exchanges.views import bp as exchanges
    from timebank.ledger.views import bp as ledger
    from timebank.listings import member_views  # noqa: F401  (its routes join the members blueprint)
    from timebank.listings.views import bp as listings
    from timebank.main.views import bp as main
    from timebank.members import code_views  # noqa: F401  (its routes join the members blueprint)
    from timebank.members import profile_views  # noqa: F401  (its routes join the members blueprint)
    from timebank.members.views import bp as members
    from timebank.messages.views import bp as messages
    from timebank.notifications.views import bp as notifications
    from timebank.privacy.views import bp as privacy
    from timebank.partners.admin_views import bp as partners_admin
    from timebank.partners.views import bp as partners
    from timebank.projects.views import bp as projects
    from timebank.reports.partner_views import bp as partner_reports
    from timebank.reports.views import bp as reports

    for blueprint in (main, members, listings, exchanges, messages, ledger, notifications, coordination, acting,
                      admin, reports, privacy):
        app.register_blueprint(blueprint)
    app.register_blueprint(backup)
    app.register_blueprint(partners)
    app.register_blueprint(partners_admin)
    app.register_blueprint(projects)
    app.register_blueprint(partner_reports)
    from timebank.members.profile_views import charter_first
    from timebank.members.views import note_activity

    app.before_request(note_activity)
    app.before_request(charter_first)
    app.before_request(warnings_first)


def register_errors(app: Flask) -> None:
    from timebank.errorpages import register_error_pages

    register_error_pages(app)


def register_templates(app: Flask) -> None:
    from timebank.navigation import register_navigation
    from timebank.static_files import register_static
    from timebank.templating import register_filters

    register_filters(app)
    register_navigation(app)
    from timebank.ledger.services import account_label

    app.add_template_global(account_label)  # a statement names a partner's account as the ledger does
    from timebank.projects.services import project_of

    app.add_template_global(project_of)  # a listing that is a project's task says "for the project …"
    from timebank.admin.settings_store import settings_version

    app.add_template_global(settings_version)  # a part of the key of what is kept rendered (listings/index.html)
    from timebank.listings.cards import card_row

    app.add_template_global(card_row)  # a page's listing cards, kept rendered whole (_partials/listing_card.html)
    register_static(app)


def register_cli(app: Flask) -> None:
    from timebank.commands import register_commands

    register_commands(app)


def register_jobs(app: Flask) -> None:
    from timebank.jobs import register_jobs as register

    register(app)


def register_signals(app: Flask) -> None:
    """Lower layers tell the upper ones through signals: a member who joins gets her account (and welcome hours)."""
    from timebank.giving.services import member_welcome
    from timebank.members.services import member_joined

    member_joined.connect(member_welcome)
    from timebank.privacy.views import register_privacy

    register_privacy(app)
    from timebank.members.services import member_suspending
    from timebank.partners.rewards import bookings_release_of_suspended

    member_suspending.connect(bookings_release_of_suspended)
    from timebank.exchanges.closing import exchanges_release_of_partner
    from timebank.partners.services import partner_suspending

    partner_suspending.connect(exchanges_release_of_partner)  # a suspended partner's exchanges release their hours
    from timebank.ledger.models import AccountKind
    from timebank.ledger.services import account_owner_register
    from timebank.partners.services import partner_names_of_accounts

    account_owner_register(AccountKind.PARTNER, partner_names_of_accounts)  # the ledger names partners' accounts
    from timebank.ledger.verify import verify_check_register
    from timebank.reports.rollups_check import rollups_check

    verify_check_register(app, rollups_check)  # `ledger verify` also compares the reports' rollups
