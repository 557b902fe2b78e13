"""The sentences a coder reads: one template per reason, alert and modifier rule.

Templates only put into words what an atom of the answer set already says; they decide nothing.

Examples
--------
>>> excluded_detail("more_specific_guidance", code="76000", by="77003")
'76000 (general fluoroscopy) is included in the specific guidance code 77003 billed in the same session.'

"""

from __future__ import annotations

__all__ = ["added_detail", "alert_detail", "bypass_text", "coverage_words", "date_text", "excluded_detail", "mue_scope",
           "validity_words"]

_EXCLUDED = {
    "ptp_bundled": "NCCI PTP edit {row} makes {code} the column-2 code of {by}; {bypass}.",
    "guidance_included": "The descriptor of {by} includes imaging guidance, so {code} is not reported with it.",
    "integral_to_surgery": "Intraoperative fluoroscopy is integral to {by}, so {code} is not reported separately.",
    "more_specific_guidance": "{code} (general fluoroscopy) is included in the specific guidance code {by} billed "
                              "in the same session.",
    "wrong_guidance_code": "{code} is not the guidance code for this target ({kind} per the documented site, note "
                           "or procedure); {by} applies.",
    "imaging_inclusive_code": "CPT reports this pair as the single code {by}, which includes the imaging guidance; "
                              "{by} is added in place of {code}.",
    "add_on_without_primary": "{code} is an add-on code and no eligible primary procedure (NCCI add-on code edits) "
                              "is billable in this encounter.",
    "not_effective": "{code} is not a valid code on {dos} ({when} {date}).",
    "component_billed_by_facility": "The facility owns the fluoroscopy unit, so it bills the technical component; "
                                    "{code}-TC does not belong on this professional claim.",
    "not_documented": "The note says fluoroscopy was not used, which contradicts {code}.",
    "unit_limit": "{code} is limited to {limit} unit(s) {per} ({row}); {units} unit(s) above it are not billed.",
    "components_combined": "{code}-TC and {code}-26 are billed by the owner of the equipment: together they are the "
                           "global service, billed once as {code} without 26 or TC.",
    "bilateral_one_line": "{code} has MPFS bilateral indicator 1: both sides (RT and LT lines, or 2 units) are billed "
                          "as one line {code}-50, 1 unit, paid at 150% (Claims Processing Manual ch. 12 §40.7).",
}

_ADDED = {
    "wrong_guidance_code": "{code} is the guidance code for a {kind} target; it replaces {replaces}.",
    "imaging_inclusive_code": "{code} is the single code for the procedure with imaging guidance; it replaces "
                              "{replaces} and its separately billed guidance code.",
    "missed_billable": "The note documents fluoroscopic guidance for a billed procedure with no guidance code "
                       "billed; {code} is separately billable.",
    "bilateral_one_line": "{code}-50, 1 unit, is the bilateral procedure billed for both sides (MPFS bilateral "
                          "indicator 1: paid at 150%, Claims Processing Manual ch. 12 §40.7); it replaces the "
                          "{replaces} lines billed per side or with 2 units.",
}

_ALERTS = {
    "missing_fluoro_time": "Fluoroscopy ({code}) is billed or considered, but no fluoroscopy time is documented.",
    "missing_indication": "Fluoroscopy ({code}) is billed or considered, but no clinical indication for real-time "
                          "imaging is documented.",
    "missing_body_area": "Fluoroscopy ({code}) is billed or considered, but the anatomy imaged is not documented.",
    "confirm_once_per_session": "{code} is billable: report it once for the session, whatever the number of levels.",
    "modifier.pc_facility": "Modifier 26 appended to {code}: the facility owns the fluoroscopy unit, so only the "
                            "professional component is billed.",
    "modifier.distinct": "Modifier 59 appended to {code}: the record documents a distinct procedural service, which "
                         "bypasses an edit with modifier indicator 1.",
    "modifier.distinct_site": "Modifier XS appended to {code}: the record documents a distinct service at a separate "
                              "site, which bypasses an edit with modifier indicator 1.",
    "modifier.review_26_owner": "Modifier 26 on {code} in a non-facility setting with physician-owned equipment: the "
                                "global service is normally billed.",
    "modifier.review_no_split": "Modifier {data} on {code}, a code without professional/technical split (PC/TC "
                                "indicator 0).",
    "modifier.review_undocumented": "Modifier {data} on {code}, but the record does not document a distinct "
                                    "procedural service.",
    "rule_conflict": "The rule data admits no stable billable set for this encounter (a cycle of edits among "
                     "{cycle}); the least-violating set is returned.",
    "note_fluoro_negated": "The note mentions fluoroscopy only to say it was not used.",
    "modifier.global_once": "Modifiers 26 and TC of {code} on two lines, billed by the owner of the equipment: the "
                            "global service is billed once, without 26 or TC.",
    "not_in_rule_base": "{code} is not in the loaded code table: it is passed through as billable, and its validity, "
                        "attributes, unit limit and fee were not checked (only NCCI PTP edits pairing it with a known "
                        "code were applied).",
    "rules_not_in_force": "No loaded rule data covers {dos}: {data}; it was decided with the nearest data and needs "
                          "review.",
    "bilateral.already_bilateral": "Modifier 50 on {code}: its MPFS bilateral indicator is 2 (the code is bilateral by "
                                   "definition), so 50 is dropped and the line is paid at 100% (Claims Processing "
                                   "Manual ch. 12 §40.7).",
    "bilateral.not_payable": "Modifier 50 on {code}: its MPFS bilateral indicator does not allow the bilateral "
                             "adjustment (indicator 0 or 9), so 50 is not payable and the line is priced at 100% "
                             "(Claims Processing Manual ch. 12 §40.7).",
    "fee_unknown": "No MPFS fee schedule row of {code} is loaded for the date of service: its amount is unknown "
                   "(null), and totals leave it out.",
    "fee_from_prior_release": "{data}",
}


def date_text(n: int) -> str:
    """``20100331`` -> ``'2010-03-31'`` (the encodings' integer dates, written for people)."""
    return f"{n // 10000:04d}-{n // 100 % 100:02d}-{n % 100:02d}"


def bypass_text(indicator: int) -> str:
    """What a PTP edit's modifier indicator lets a coder do about it."""
    if indicator == 0:
        return "modifier indicator 0: no modifier or documentation can bypass it"
    return "a documented distinct service (separate site, lesion or session) would let it be billed with 59 or XS"


def validity_words(when: str) -> str:
    """The words before the date of a code out of force ``before`` its first day or ``after`` its last."""
    return "valid only from" if when == "before" else "deleted after"


def mue_scope(mai: int | None) -> str:
    """How far a unit limit reaches: per line for MUE adjudication indicator 1, else per date of service."""
    return "per line" if mai == 1 else "per date of service"


def excluded_detail(reason: str, **slots: object) -> str:
    """The sentence for an ``excluded`` entry with ``reason``."""
    return _EXCLUDED[reason].format(**slots)


def added_detail(reason: str, **slots: object) -> str:
    """The sentence for an ``added`` entry with ``reason``."""
    return _ADDED[reason].format(**slots)


def alert_detail(kind: str, rule: str, **slots: object) -> str:
    """The sentence for an alert: by rule where the kind has several rules, else by kind."""
    return (_ALERTS.get(rule) or _ALERTS[kind]).format(**slots)


def coverage_words(data: object) -> str:
    """Why a date of service is outside the loaded data (``[before|after, day]``), for ``rules_not_in_force``.

    Examples
    --------
    >>> coverage_words(["before", 20131001])
    'the loaded data is dated from 2013-10-01'

    """
    if isinstance(data, list) and len(data) == 2 and isinstance(data[1], int):
        if data[0] == "before":
            return f"the loaded data is dated from {date_text(data[1])}"
        return f"it is more than a year after the newest loaded data (covered through {date_text(data[1])})"
    return "it is outside the dates of the loaded data"
