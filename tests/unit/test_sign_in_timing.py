"""Signing in costs the same work whether the account exists or not: timing tells nothing."""
from argon2 import PasswordHasher

from timebank.members.signin import member_authenticate


class CountingHasher(PasswordHasher):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.calls = {"hash": 0, "verify": 0}

    def hash(self, *args, **kwargs):
        self.calls["hash"] += 1
        return super().hash(*args, **kwargs)

    def verify(self, *args, **kwargs):
        self.calls["verify"] += 1
        return super().verify(*args, **kwargs)


def attempts_cost(ctx, identifiers) -> dict:
    hasher = CountingHasher(**ctx.config["TIMEBANK_ARGON2"])
    ctx.extensions["timebank_password_hasher"] = hasher
    member_authenticate(identifier="warm-up@example.org", password="a guess")  # the dummy hash may be made once
    hasher.calls = {"hash": 0, "verify": 0}
    for identifier in identifiers:
        assert member_authenticate(identifier=identifier, password="a wrong guess") is None
    return hasher.calls


def test_an_unknown_account_costs_one_verification_like_a_known_one(ctx, people):
    karim = people.member("Karim Benali")

    unknown = attempts_cost(ctx, ["nobody@example.org", "someone@example.org", "999999", "M-4242"])
    known = attempts_cost(ctx, [karim.email, karim.email, str(karim.number), f"M-{karim.number}"])

    assert unknown == known == {"hash": 0, "verify": 4}
