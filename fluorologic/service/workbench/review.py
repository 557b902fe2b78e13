"""The review queue: each changed claim of a batch is assigned, accepted, overridden or sent back, on the record.

Every claim whose decision differs from the claim as billed is in its batch's queue, ``open`` until someone acts.
The actions:

============  ==========================================================================================
``assign``    give the claim to a reviewer (state ``assigned``)
``accept``    fluorologic's decision stands (``accepted``)
``override``  the claim goes out as billed, against the decision, for a reason chosen from
              :data:`OVERRIDE_REASONS` and a note (``overridden``; the note is required for ``other``)
``send_back`` back to the coder who sent it, with a note (``sent_back``)
============  ==========================================================================================

Each action is a row that is never changed or deleted, not even with its batch: who, when (UTC), what (action,
reason, note, the state before and after, the reviewer assigned), which claim (batch, position, encounter and
claim ids) and against which rule data (the batch's NCCI quarter, MPFS release and data hash:
:mod:`fluorologic.service.workbench.provenance`). The rows live in the workbench's SQLite file, so a restart
loses nothing and two browsers on the same batch see each other's actions; :meth:`ReviewLog.export_csv` writes
them for an auditor.

Examples
--------
>>> import tempfile, pathlib
>>> from fluorologic.service.workbench.db import WorkbenchDB
>>> db = WorkbenchDB(pathlib.Path(tempfile.mkdtemp()) / "wb.sqlite")
>>> bid = db.create_batch("b.json", rules="embedded", total=1, rule_data={"quarter": "2024Q3", "release": "RVU25D",
...                                                                       "sha256": "ab" * 32})
>>> rec = {"encounter_id": "e1", "billable": [], "excluded": [{"code": "77002", "units": 1, "reason": "ptp_bundled"}],
...        "added": [], "alerts": [], "totals": {"billed": 10.0, "expected": 0.0}}
>>> db.add_encounters(bid, 0, [({"encounter_id": "e1"}, rec)])
>>> log = ReviewLog(db)
>>> log.act(bid, 0, who="ana", action="assign", assignee="ben")["state"]
'assigned'
>>> log.act(bid, 0, who="ben", action="override", reason=OVERRIDE_REASONS[0], note="op note p.2")["state"]
'overridden'
>>> [(a["who"], a["action"], a["rule_quarter"]) for a in log.actions(bid)]
[('ana', 'assign', '2024Q3'), ('ben', 'override', '2024Q3')]
>>> [q["state"] for q in log.queue(bid, state="overridden")]
['overridden']

"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

from fluorologic.contract.errors import InputError
from fluorologic.service.workbench.db import WorkbenchDB

__all__ = ["ACTIONS", "AUDIT_COLUMNS", "OVERRIDE_REASONS", "STATES", "ReviewLog"]

#: A claim's review states, in the order the queue's filter lists them.
STATES = ("open", "assigned", "accepted", "overridden", "sent_back")
#: Each action and the state it leaves the claim in.
ACTIONS = {"assign": "assigned", "accept": "accepted", "override": "overridden", "send_back": "sent_back"}
#: Why a reviewer may override the decision (the claim then goes out as billed).
OVERRIDE_REASONS = (
    "the record documents a distinct procedural service",
    "the payer's policy differs from Medicare's",
    "a modifier is appended on the claim as sent",
    "the rule data is not in force for the date of service",
    "the input misstates the claim",
    "other (see the note)",
)
#: The columns of the audit export, in order.
AUDIT_COLUMNS = ("id", "at", "who", "action", "reason", "note", "state_before", "state_after", "assignee",
                 "batch_id", "batch", "seq", "encounter_id", "claim_id", "rules", "rule_quarter", "rule_release",
                 "rule_sha256")
_MAX = 500


def _clean(value: Any, field: str, *, required: bool = False, limit: int = 120) -> str:
    text = " ".join(str(value or "").split())[:limit] if field != "note" else str(value or "").strip()[:_MAX]
    if required and not text:
        raise InputError(field, "is required")
    return text


class ReviewLog:
    """The review actions of the workbench's batches (a table in the workbench's own SQLite file)."""

    def __init__(self, db: WorkbenchDB) -> None:
        self.db = db

    def act(self, bid: int, seq: int, *, who: str, action: str, reason: str = "", note: str = "",
            assignee: str = "") -> dict[str, Any]:
        """Record one action on claim ``seq`` of batch ``bid``; the claim's review state after it.

        Raises
        ------
        InputError
            An unknown action or reason, a missing reviewer name, assignee or note, or a claim not in the queue.

        """
        who = _clean(who, "who", required=True)
        if action not in ACTIONS:
            raise InputError("action", f"must be one of {', '.join(ACTIONS)}")
        reason, note = _clean(reason, "reason", limit=200), _clean(note, "note")
        assignee = _clean(assignee, "assignee", required=action == "assign") if action == "assign" else ""
        if action == "override":
            if reason not in OVERRIDE_REASONS:
                raise InputError("reason", "choose one of the override reasons")
            if reason == OVERRIDE_REASONS[-1] and not note:
                raise InputError("note", "say why in the note (reason: other)")
        elif reason:
            raise InputError("reason", "only an override takes a reason")
        if action == "send_back" and not note:
            raise InputError("note", "say what the coder should look at")
        now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        with self.db.connect() as c:
            c.execute("BEGIN IMMEDIATE")  # one writer at a time: the state before is the state the row says
            enc = c.execute("SELECT e.encounter_id, e.claim_id, e.changed, b.name, b.rules, b.rule_quarter, "
                            "b.rule_release, "
                            "b.rule_sha256 FROM encounter e JOIN batch b ON b.id = e.batch_id "
                            "WHERE e.batch_id = ? AND e.seq = ?", (bid, seq)).fetchone()
            if enc is None or not enc["changed"]:
                raise InputError("seq", "this claim is not in the review queue (its decision does not change it)")
            before = self._state(c, bid, seq)
            c.execute("INSERT INTO review_action(batch_id, batch, seq, at, who, action, reason, note, state_before, "
                      "state_after, assignee, encounter_id, claim_id, rules, rule_quarter, rule_release, rule_sha256)"
                      " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                      (bid, enc["name"], seq, now, who, action, reason or None, note or None, before["state"],
                       ACTIONS[action], assignee or before["assignee"], enc["encounter_id"], enc["claim_id"],
                       enc["rules"], enc["rule_quarter"], enc["rule_release"], enc["rule_sha256"]))
            return self._state(c, bid, seq)

    @staticmethod
    def _state(c: Any, bid: int, seq: int) -> dict[str, Any]:
        row = c.execute("SELECT state_after, assignee, who, at FROM review_action WHERE batch_id = ? AND seq = ? "
                        "ORDER BY id DESC LIMIT 1", (bid, seq)).fetchone()
        if row is None:
            return {"state": "open", "assignee": None, "by": None, "at": None}
        return {"state": row["state_after"], "assignee": row["assignee"], "by": row["who"], "at": row["at"]}

    def state(self, bid: int, seq: int) -> dict[str, Any]:
        """Claim ``seq``'s review state: ``state``, ``assignee``, who acted last (``by``) and when (``at``)."""
        with self.db.connect() as c:
            return self._state(c, bid, seq)

    def queue(self, bid: int, *, state: str = "", reviewer: str = "") -> list[dict[str, Any]]:
        """The changed claims of batch ``bid`` with their review state, filtered by state and by reviewer.

        ``reviewer`` matches the assignee or anyone who acted on the claim.
        """
        sql = """
        WITH last AS (SELECT batch_id, seq, MAX(id) AS id FROM review_action WHERE batch_id = ?1 GROUP BY seq)
        SELECT e.seq, e.encounter_id, e.claim_id, e.dos, e.billed, e.expected, e.record,
               COALESCE(a.state_after, 'open') AS state, a.assignee, a.who AS last_by, a.at AS last_at,
               a.action AS last_action
        FROM encounter e LEFT JOIN last l ON l.batch_id = e.batch_id AND l.seq = e.seq
        LEFT JOIN review_action a ON a.id = l.id
        WHERE e.batch_id = ?1 AND e.changed = 1
          AND (?2 = '' OR COALESCE(a.state_after, 'open') = ?2)
          AND (?3 = '' OR a.assignee = ?3 OR EXISTS (SELECT 1 FROM review_action r WHERE r.batch_id = e.batch_id
                                                      AND r.seq = e.seq AND r.who = ?3))
        ORDER BY e.seq"""
        with self.db.connect() as c:
            rows = [dict(r) for r in c.execute(sql, (bid, state, reviewer))]
        for r in rows:
            r["record"] = json.loads(r["record"])
        return rows

    def reviewers(self, bid: int) -> list[str]:
        """Everyone assigned to or acting on a claim of batch ``bid``, sorted."""
        with self.db.connect() as c:
            rows = c.execute("SELECT who FROM review_action WHERE batch_id = ?1 UNION "
                             "SELECT assignee FROM review_action WHERE batch_id = ?1 AND assignee IS NOT NULL",
                             (bid,)).fetchall()
        return sorted({r[0] for r in rows if r[0]})

    def counts(self, bid: int) -> dict[str, int]:
        """How many changed claims of batch ``bid`` are in each state."""
        out = dict.fromkeys(STATES, 0)
        for q in self.queue(bid):
            out[q["state"]] += 1
        return out

    def actions(self, bid: int | None = None, seq: int | None = None) -> list[dict[str, Any]]:
        """The recorded actions, oldest first (of one batch, of one claim, or all; a deleted batch's too)."""
        sql = ("SELECT * FROM review_action a WHERE (?1 IS NULL OR a.batch_id = ?1) AND (?2 IS NULL OR a.seq = ?2) "
               "ORDER BY a.id")
        with self.db.connect() as c:
            return [dict(r) for r in c.execute(sql, (bid, seq))]

    def export_csv(self, bid: int | None = None) -> str:
        """The actions as CSV (:data:`AUDIT_COLUMNS`); cells a spreadsheet would run as formulas get a ``'``."""
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(AUDIT_COLUMNS)
        for a in self.actions(bid):
            w.writerow(["'" + v if isinstance(v, str) and v[:1] in ("=", "+", "-", "@", "\t", "\r") else
                        ("" if v is None else v) for v in (a[k] for k in AUDIT_COLUMNS)])
        return buf.getvalue()
