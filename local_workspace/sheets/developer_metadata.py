"""Developer metadata: create, update, delete (batchUpdate requests) and search by lookup."""

from __future__ import annotations

import copy
import random

from ..errors import InvalidArgument
from . import gridrange

VISIBILITIES = {"DOCUMENT", "PROJECT"}


def all_of(book) -> list[dict]:
    return book.meta.setdefault("developerMetadata", [])


def sheet_of(entry: dict) -> int | None:
    location = entry["location"]
    if "sheetId" in location:
        return location["sheetId"]
    if "dimensionRange" in location:
        return location["dimensionRange"].get("sheetId", 0)
    return None


def create(state, book, body) -> dict:
    wanted = copy.deepcopy(body.get("developerMetadata") or {})
    if not wanted.get("metadataKey"):
        raise InvalidArgument("Developer metadata must have a key.")
    if wanted.get("visibility") not in VISIBILITIES:
        raise InvalidArgument("Developer metadata visibility must be DOCUMENT or PROJECT.")
    taken = {m["metadataId"] for m in all_of(book)}
    if wanted.get("metadataId") in taken:
        raise InvalidArgument(f"Developer metadata with id {wanted['metadataId']} already exists.")
    wanted.setdefault("metadataId", _new_id(taken))
    wanted["location"] = _location(book, wanted.get("location") or {})
    all_of(book).append(wanted)
    return {"createDeveloperMetadata": {"developerMetadata": copy.deepcopy(wanted)}}


def update(state, book, body) -> dict:
    fields = body.get("fields")
    if not fields:
        raise InvalidArgument("At least one field must be specified in 'fields'.")
    changes = body.get("developerMetadata") or {}
    matched = _matching(book, body.get("dataFilters") or [])
    for entry in matched:
        for name in (f.strip() for f in fields.split(",")):
            if name == "*":
                entry.update({k: v for k, v in copy.deepcopy(changes).items() if k != "metadataId"})
            elif name == "location":
                entry["location"] = _location(book, changes.get("location") or {})
            elif name in ("metadataKey", "metadataValue", "visibility"):
                if name in changes:
                    entry[name] = changes[name]
                else:
                    entry.pop(name, None)
            else:
                raise InvalidArgument(f"Cannot update developer metadata field {name!r}.")
    return {"updateDeveloperMetadata": {"developerMetadata": copy.deepcopy(matched)}}


def delete(state, book, body) -> dict:
    matched = _matching(book, [body.get("dataFilter") or {}])
    book.meta["developerMetadata"] = [m for m in all_of(book) if m not in matched]
    return {"deleteDeveloperMetadata": {"deletedDeveloperMetadata": copy.deepcopy(matched)}}


def search(book, body: dict) -> dict:
    found: list[dict] = []
    for data_filter in body.get("dataFilters") or []:
        for entry in _matching(book, [data_filter]):
            match = next((m for m in found if m["developerMetadata"]["metadataId"] == entry["metadataId"]), None)
            if match is None:
                found.append({"developerMetadata": copy.deepcopy(entry), "dataFilters": [data_filter]})
            else:
                match["dataFilters"].append(data_filter)
    return {"matchedDeveloperMetadata": found} if found else {}


def _matching(book, data_filters: list[dict]) -> list[dict]:
    matched = []
    for data_filter in data_filters:
        lookup = data_filter.get("developerMetadataLookup")
        if lookup is None:
            raise InvalidArgument("The local workspace matches developer metadata by developerMetadataLookup only.")
        for entry in all_of(book):
            if _fits(entry, lookup) and entry not in matched:
                matched.append(entry)
    return matched


def _fits(entry: dict, lookup: dict) -> bool:
    for key in ("metadataId", "metadataKey", "metadataValue", "visibility"):
        if key in lookup and entry.get(key) != lookup[key]:
            return False
    if "locationType" in lookup and entry["location"]["locationType"] != lookup["locationType"]:
        return False
    wanted = lookup.get("metadataLocation")
    if wanted:
        location = entry["location"]
        if wanted.get("spreadsheet") and not location.get("spreadsheet"):
            return False
        if "sheetId" in wanted and location.get("sheetId") != wanted["sheetId"]:
            return False
        if "dimensionRange" in wanted and location.get("dimensionRange") != wanted["dimensionRange"]:
            return False
    return True


def _location(book, location: dict) -> dict:
    given = [k for k in ("spreadsheet", "sheetId", "dimensionRange") if location.get(k) is not None]
    if len(given) != 1:
        raise InvalidArgument("Developer metadata needs exactly one location: spreadsheet, sheetId or dimensionRange.")
    if location.get("spreadsheet"):
        return {"locationType": "SPREADSHEET", "spreadsheet": True}
    if "sheetId" in given:
        book.sheet(location["sheetId"])
        return {"locationType": "SHEET", "sheetId": location["sheetId"]}
    dimension_range = location["dimensionRange"]
    _, dimension, start, end = gridrange.dimension_bounds(book, dimension_range)
    kind = "ROW" if dimension == "ROWS" else "COLUMN"
    return {
        "locationType": kind,
        "dimensionRange": {
            "sheetId": dimension_range.get("sheetId", 0),
            "dimension": dimension,
            "startIndex": start,
            "endIndex": end,
        },
    }


def _new_id(taken) -> int:
    while True:
        candidate = random.randrange(1, 2**31)
        if candidate not in taken:
            return candidate
