"""Who can open a spreadsheet, checked before personal data is written into it (docs/decisions.md §6)."""

from __future__ import annotations


def sharing_problems(allowed: tuple[str, ...], permissions: list[dict], writers_can_share: bool | None) -> list[str]:
    """Each permission beyond the owner and the configured people, in words; [] when all is as configured."""
    expected = {email.lower() for email in allowed}
    problems = []
    for permission in permissions:
        kind, role = permission.get("type"), permission.get("role")
        if role == "owner":
            continue
        if kind == "anyone":
            problems.append(f"anyone with the link can open it ({role})")
        elif kind == "domain":
            problems.append(f"everyone at {permission.get('domain', 'a domain')} can open it ({role})")
        elif kind == "group":
            problems.append(f"the group {permission.get('emailAddress', '')} can open it ({role})")
        elif (permission.get("emailAddress") or "").lower() not in expected:
            problems.append(
                f"{permission.get('emailAddress', 'someone')} can open it ({role}) but the config does not name them"
            )
    if writers_can_share:
        problems.append("editors may share it further (writersCanShare is on)")
    return problems
