"""A row of a tab as a record (header -> cell) without a dict of its own for every row.

At 100,000 responses a dict per row (dict(zip(headers, line))) is 80 MB more than the rows as read;
a LineRecord is the line as read, its headers' positions shared by every row of the tab, and only
the cells set since (a note, a status) in a small dict of its own. It reads as that dict would:
a header past the end of a short line is absent, a repeated header is the last of its cells the line has.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping

from ..sheets.unread import UNREAD


class NotRead(RuntimeError):
    """A cell of a column the sync does not read back was asked for: a bug, not a value (not a KeyError,
    so that .get() cannot take it for an empty cell)."""


def positions(headers: list[str]) -> dict[str, tuple[int, ...]]:
    """header -> its columns, left to right (a header a lead repeated has several)."""
    found: dict[str, tuple[int, ...]] = {}
    for i, header in enumerate(headers):
        found[header] = found.get(header, ()) + (i,)
    return found


class LineRecord(MutableMapping):
    __slots__ = ("_index", "_line", "_more")

    def __init__(self, index: dict[str, tuple[int, ...]], line: list[str]):
        self._index, self._line = index, line
        self._more: dict[str, str] | None = None  # cells set since the read (a note, a status)

    def __getitem__(self, header: str) -> str:
        if self._more is not None and header in self._more:
            return self._more[header]
        length = len(self._line)
        for i in reversed(self._index.get(header, ())):
            if i < length:  # as dict(zip(headers, line)): the last of its columns the line reaches
                cell = self._line[i]
                if cell is UNREAD:
                    raise NotRead(
                        f"the column {header!r} is not read back by the sync: add its answer to sync.read_back"
                    )
                return cell
        raise KeyError(header)

    def __setitem__(self, header: str, value: str) -> None:
        if self._more is None:
            self._more = {}
        self._more[header] = value

    def __delitem__(self, header: str) -> None:
        """Rare: the record becomes a plain dict inside (its order then is a dict's after a removal)."""
        whole = dict(self)
        del whole[header]
        self._index, self._line, self._more = {}, [], whole

    def _in_line(self, header: str) -> bool:
        columns = self._index.get(header)
        return columns is not None and columns[0] < len(self._line) and self._readable(header)

    def _readable(self, header: str) -> bool:
        try:
            self[header]
        except NotRead:
            return False
        except KeyError:
            return True
        return True

    def __iter__(self) -> Iterator[str]:
        """Its headers, but not those of cells the sync did not read (which are not known)."""
        length = len(self._line)
        for header, columns in self._index.items():
            if columns[0] < length and self._readable(header):
                yield header
        for header in self._more or ():
            if not self._in_line(header):
                yield header

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __contains__(self, header: object) -> bool:
        try:
            self[header]  # type: ignore[index]
        except KeyError:
            return False
        return True

    def copy(self) -> dict[str, str]:
        return dict(self)

    def __or__(self, other) -> dict[str, str]:
        return {**self, **other}

    def __ror__(self, other) -> dict[str, str]:
        return {**other, **self}

    def __repr__(self) -> str:
        return f"LineRecord({dict(self)!r})"


def line_records(values: list[list[str]]) -> list[LineRecord]:
    """Every row after the header row, as records."""
    if not values:
        return []
    index = positions(values[0])
    return [LineRecord(index, line) for line in values[1:]]
