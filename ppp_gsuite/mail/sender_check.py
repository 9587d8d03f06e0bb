"""Will Gmail send from sender.email? Only if it is the signed-in account or a verified send-as alias.

Otherwise Gmail sends every message as the account, silently (no error): people would get mail
from an address the config never named. The local workspace can say (users.settings.sendAs.list);
Google answers that only with the gmail.settings.basic scope, which ppp-gsuite does not ask for,
so there the check is for a person, once.
"""

from __future__ import annotations

from collections.abc import Callable

SEND_AS_SETTINGS = "Gmail > Settings > See all settings > Accounts > Send mail as"


def sender_warning(
    sender_email: str, send_as: Callable[[], list[dict]] | None, account: str | None = None
) -> str | None:
    """A warning for staff, or None when Gmail will send from `sender_email`.

    `send_as` lists the account's send-as entries (None when it cannot be asked, as on Google);
    `account` is the signed-in account when known without asking (a service account's subject).
    """
    wanted = sender_email.strip().lower()
    if account and account.strip().lower() == wanted:
        return None
    if send_as is None:
        return (
            f"ppp-gsuite cannot check that Gmail will send from sender.email ({sender_email}): that needs the "
            "gmail.settings.basic permission, which it does not ask for. Gmail keeps that From address only if "
            "it is the account ppp-gsuite signs in as, or one of that account's verified send-as addresses "
            f"({SEND_AS_SETTINGS}); otherwise it sends every email from the account instead, without an error. "
            "Check it there once, signed in as that account."
        )
    entries = send_as()
    primary = next((e["sendAsEmail"] for e in entries if e.get("isPrimary")), "the signed-in account")
    verified = {
        e["sendAsEmail"].lower() for e in entries if e.get("isPrimary") or e.get("verificationStatus") == "accepted"
    }
    if wanted in verified:
        return None
    return (
        f"sender.email ({sender_email}) is neither the Gmail account ppp-gsuite signs in as ({primary}) nor one "
        f"of its verified send-as addresses, so Gmail would send every email from {primary} instead. Add and "
        f"verify {sender_email} as a send-as address of {primary} ({SEND_AS_SETTINGS}), or set sender.email "
        f"to {primary}."
    )
