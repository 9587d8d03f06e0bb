"""JSON as Google's proto3-based APIs (Forms v1, Sheets v4, Gmail v1) write it.

The proto3 JSON mapping leaves out a repeated field that is empty: Forms answers a text item's
createItem with no `questionId` at all, never `"questionId": []`
(https://protobuf.dev/programming-guides/json/ "If a field has the default value ... it is omitted").
Drive v3 is not one of them: it writes `"files": []` and `"trashed": false`.
"""

from __future__ import annotations

PROTO3_APIS = frozenset({"forms", "sheets", "gmail", "pubsub"})


def omit_empty(value):
    """`value` with every empty list under an object key left out, at any depth (list items are kept)."""
    if isinstance(value, dict):
        return {key: omit_empty(item) for key, item in value.items() if item != [] and item is not None}
    if isinstance(value, list):
        return [omit_empty(item) for item in value]
    return value
