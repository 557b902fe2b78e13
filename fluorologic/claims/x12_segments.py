r"""The segments of an X12 interchange, split on its segment terminator so that none is lost.

pyx12's :class:`pyx12.rawx12file.RawX12File` reads the ISA segment (and so the delimiters) well, but its
segment loop stops for good at an empty segment (``~~``) and at a segment longer than its 8 KB read-ahead,
silently: every claim after it was lost. :class:`SegmentStream` takes over from it after the ISA (same
buffer, same stream, same terminator) and is handed to :class:`pyx12.x12file.X12Reader` in its place, so
pyx12 still checks every envelope. It knows nothing of any implementation guide: it only splits text.

* An empty segment (only white space between two terminators) is not given to pyx12: it is recorded as
  :class:`Skipped` at its position, and the reading goes on.
* A segment longer than :data:`MAX_SEGMENT` characters is recorded the same way and its text dropped as it is
  read (memory stays bounded), and the reading goes on at the next terminator.
* Text after the last terminator that is not white space (a file cut short) is recorded too.

Positions count every piece between terminators, ISA as 1, skipped ones included, which is how
``text.split(terminator)`` numbers them.

Examples
--------
>>> import io
>>> seg = SegmentStream(io.StringIO("B~~C~" + "D" * 20 + "~E~tail"), "~", head="ISA*x~A~", limit=10)
>>> [(line, seg.take_skipped()) for line in seg]  # doctest: +NORMALIZE_WHITESPACE
[('ISA*x', []), ('A', []), ('B', []), ('C', [Skipped(position=4, reason='empty')]),
 ('E', [Skipped(position=6, reason='too_long')])]
>>> seg.take_skipped()
[Skipped(position=8, reason='unterminated')]

"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TextIO

__all__ = ["CHUNK", "MAX_SEGMENT", "SegmentStream", "Skipped"]

#: Characters read at a time.
CHUNK = 64 * 1024
#: The longest segment read, in characters (no 837 element comes near it; a longer one is an error, not a crash).
MAX_SEGMENT = 1024 * 1024


@dataclass(frozen=True)
class Skipped:
    """A piece of the interchange not given to pyx12: its 1-based position and why.

    ``reason`` is ``empty``, ``too_long`` or ``unterminated``.
    """

    position: int
    reason: str

    def message(self, limit: int = MAX_SEGMENT) -> str:
        """What a person reads about it.

        >>> Skipped(3, "empty").message()
        'the segment is empty (two segment terminators in a row); the segments after it are still read'

        """
        if self.reason == "empty":
            return "the segment is empty (two segment terminators in a row); the segments after it are still read"
        if self.reason == "too_long":
            return (f"the segment is longer than {limit:,} characters and is not read; the segments after it are "
                    "still read")
        return "text after the last segment terminator is not a segment (the file may be cut short)"


class SegmentStream:
    """Iterate over the segments of ``head`` + ``stream`` (leading CR/LF of each dropped, as pyx12 does).

    The pieces skipped since the last call are given by :meth:`take_skipped`, which the caller asks after each
    segment (before it, in the file) and at the end.
    """

    def __init__(self, stream: TextIO, seg_term: str, *, head: str = "", limit: int = MAX_SEGMENT) -> None:
        self.stream, self.seg_term, self.head, self.limit = stream, seg_term, head, limit
        self.position = 0
        self._skipped: list[Skipped] = []

    def take_skipped(self) -> list[Skipped]:
        """The pieces skipped since the last call, in file order."""
        out, self._skipped = self._skipped, []
        return out

    def _skip(self, reason: str) -> None:
        self._skipped.append(Skipped(self.position, reason))

    def __iter__(self) -> Iterator[str]:
        pending, self.head = self.head, ""
        too_long = False
        while True:
            *done, pending = pending.split(self.seg_term)
            for piece in done:
                self.position += 1
                if too_long:
                    too_long = False
                    self._skip("too_long")
                    continue
                line = piece.lstrip("\n\r")
                if not line.strip():
                    self._skip("empty")
                    continue
                if len(line) > self.limit:
                    self._skip("too_long")
                    continue
                yield line
            if len(pending) > self.limit:
                pending, too_long = "", True
            chunk = self.stream.read(CHUNK)
            if not chunk:
                break
            pending += chunk
        if too_long or pending.strip():
            self.position += 1
            self._skip("unterminated")

