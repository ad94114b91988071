"""Signing in with a code sent by text message, and the SMS gateway's incoming texts (STOP).

These routes join the members blueprint; the factory imports this module before registering it.
"""
from __future__ import annotations

import hmac

from flask import abort, current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user

from timebank.extensions import csrf, limiter
from timebank.members import texts
from timebank.members.forms import CodeForm, PhoneForm
from timebank.members.views import _failed, _remember_device, _start_session, bp
from timebank.phones import phone_e164


def _number_key(prefix: str):
    """Rate-limit key for one phone number typed in a form, whoever types it and from wherever."""
    def key() -> str:
        raw = request.form.get("phone") or ""
        return f"{prefix}:{phone_e164(raw) or raw[:40]}"

    return key


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["TIMEBANK_SIGN_IN_CODE_LIMIT_PER_ADDRESS"], methods=["POST"],
               key_func=lambda: f"code-address:{get_remote_address()}")
@limiter.limit(lambda: current_app.config["TIMEBANK_SIGN_IN_CODE_LIMIT_PER_NUMBER"], methods=["POST"],
               key_func=_number_key("code-number"))
def code_request():
    """Ask for a code by text message: the same answer whether the number is a member's or not."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = PhoneForm()
    if form.validate_on_submit():
        texts.sign_in_code_request(phone=form.phone.data)
        return render_template("members/code_enter.html", form=CodeForm(formdata=None, phone=form.phone.data),
                               sent=True)
    return render_template("members/code_request.html", form=form), 422 if request.method == "POST" else 200


@bp.post("/login/code/enter")
@limiter.limit(lambda: current_app.config["TIMEBANK_LOGIN_LIMIT_PER_ADDRESS"], deduct_when=_failed)
# Per number and address, so that a stranger cannot lock a member out; guessing stays hopeless anyway, as a code
# stops working after three wrong tries and only three codes an hour are sent to a number.
@limiter.limit(lambda: current_app.config["TIMEBANK_LOGIN_LIMIT_PER_ACCOUNT"],
               key_func=lambda: f"{_number_key('code-enter')()}@{get_remote_address()}", deduct_when=_failed)
def code_login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = CodeForm()
    if not form.validate_on_submit():
        return render_template("members/code_enter.html", form=form, sent=False), 422
    member = texts.sign_in_code_check(phone=form.phone.data, code=form.code.data)
    if member is None:
        form.code.errors.append(_("This code does not work: it may be wrong, used already or too old. "
                                  "Ask for a new one."))
        return render_template("members/code_enter.html", form=form, sent=False), 401
    _start_session(member, remember=True)
    return _remember_device(redirect(url_for("main.index")), member)


@bp.post("/sms/inbound")
@csrf.exempt
def sms_inbound():
    """The SMS gateway posts each text it receives: ``from`` (the number) and ``text``; STOP turns texts off.

    Protected by ``TIMEBANK_SMS_INBOUND_TOKEN``, given as ``?token=`` or in the ``X-Timebank-Token`` header.
    """
    expected = current_app.config.get("TIMEBANK_SMS_INBOUND_TOKEN") or ""
    given = request.headers.get("X-Timebank-Token") or request.args.get("token") or ""
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        abort(404)
    data = request.get_json(silent=True) if request.is_json else request.form
    if not isinstance(data, dict) and not hasattr(data, "get"):
        abort(400)
    sender = next((str(data.get(name)) for name in ("from", "phone", "phoneNumber", "sender", "number")
                   if data.get(name)), "")
    text = next((str(data.get(name)) for name in ("text", "message", "body") if data.get(name)), "")
    if not sender or len(sender) > 40 or len(text) > 2000:
        abort(400)
    texts.sms_inbound(sender=sender, text=text)
    return jsonify({"ok": True})
