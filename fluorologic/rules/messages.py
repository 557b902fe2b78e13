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
    "opps_alternative_code": "{code} has OPPS status indicator B (not payable on the hospital's outpatient claim); "
                             "OPPS pays the same service as {by}, which is added in its place.",
    "bilateral_one_line": "{code} has MPFS bilateral indicator 1: both sides (RT and LT lines, or 2 units) are billed "
                          "as one line {code}-50, 1 unit, paid at 150% (Claims Processing Manual ch. 12 §40.7).",
}

_ADDED = {
    "wrong_guidance_code": "{code} is the guidance code for a {kind} target; it replaces {replaces}.",
    "imaging_inclusive_code": "{code} is the single code for the procedure with imaging guidance; it replaces "
                              "{replaces} and its separately billed guidance code.",
    "missed_billable": "The note documents fluoroscopic guidance for a billed procedure with no guidance code "
                       "billed; {code} is separately billable.",
    "opps_alternative_code": "{code} is the code OPPS pays for the service of {replaces} on the hospital's claim; it "
                             "replaces {replaces}.",
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
    "modifier.review_26_hospital": "Modifier 26 on {code} on the hospital's claim: the hospital bills the facility's "
                                   "service; the professional component belongs on the physician's claim.",
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
    "data.not_in_rule_base.excluded": "{code} is not in the loaded code table: its validity, attributes, unit limit "
                                      "and fee were not checked (only NCCI PTP edits pairing it with a known code "
                                      "were applied, and one of them or another rule excludes it here).",
    "inpatient_only": "{code} has OPPS status indicator C (inpatient only): OPPS does not pay it on an outpatient "
                      "claim; it needs an inpatient admission or review.",
    "opps_not_payable": "{code} has OPPS status indicator {data}: OPPS does not pay it on the hospital's claim, and no "
                        "code OPPS pays in its place is known.",
    "rules_not_in_force": "No loaded rule data covers {dos}: {data}; it was decided with the nearest data and needs "
                          "review.",
    "em.modifier_25": "{code} is the column-2 code of an NCCI edit with {data} (modifier indicator 1): if the record "
                      "documents a significant, separately identifiable E/M service, bill {code} with modifier 25 "
                      "(never 59 or X{{EPSU}} on an E/M).",
    "em.modifier_57": "{code} is the column-2 code of an NCCI edit with {data} (modifier indicator 1), a procedure "
                      "with a 90-day global period: bill {code} with modifier 57 if it was the decision for surgery, "
                      "or 25 if the record documents a significant, separately identifiable E/M service (never 59 or "
                      "X{{EPSU}} on an E/M).",
    "modifier.em_significant": "Modifier 25 appended to {code}: the record documents a significant, separately "
                               "identifiable E/M service, which bypasses an edit with modifier indicator 1 (59 and "
                               "X{{EPSU}} are never used on an E/M).",
    "em.review_59": "Modifier {data} on {code}, an E/M service: 59 and X{{EPSU}} are never used on an E/M and it is "
                    "not billed; 25 marks a significant, separately identifiable E/M service.",
    "em.review_not_em": "Modifier {data} on {code}, which is not an E/M service: 25 and 57 are used on E/M codes only.",
    "em.review_57_minor": "Modifier 57 on {code} beside a minor procedure (global period 000 or 010) and no major "
                          "one: the decision to perform a minor procedure is part of it; 25 marks a significant, "
                          "separately identifiable E/M service.",
    "facility.professional_only": "Modifier 26 appended to {code}: in a facility place of service Medicare pays the "
                                  "technical component to the facility (42 CFR 410.42, 411.15(m)), so only the "
                                  "professional component is billed, whoever owns the unit.",
    "component_owner_review": "The record says the physician owns the fluoroscopy unit, but place of service {data} is "
                              "a facility: Medicare pays the technical component of {code} to the facility (42 CFR "
                              "410.42, 411.15(m); its global and TC rows carry the facility NA indicator), so only "
                              "the 26 line is billable.",
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

#: Sentences of an exclusion whose reason has more than one rule, by rule.
_EXCLUDED_BY_RULE = {
    "facility.technical_component": "{code}-TC does not belong on this professional claim: in a facility place of "
                                    "service Medicare pays the technical component to the facility (42 CFR 410.42, "
                                    "411.15(m)), whoever owns the unit.",
    "note.not_performed": "The note documents the procedure but fluoroscopy only as planned or past, not as used "
                          "in it, which contradicts {code}.",
}


def date_text(n: int) -> str:
    """``20100331`` -> ``'2010-03-31'`` (the encodings' integer dates, written for people)."""
    return f"{n // 10000:04d}-{n // 100 % 100:02d}-{n % 100:02d}"


def bypass_text(indicator: int, *, em: bool = False) -> str:
    """What a PTP edit's modifier indicator lets a coder do about it (``em``: the column-2 code is an E/M).

    >>> bypass_text(1, em=True)
    'a significant, separately identifiable E/M service in the record would let it be billed with modifier 25 (57 for \
the decision for surgery of a 90-day-global procedure; never 59 or X{EPSU} on an E/M)'
    """
    if indicator == 0:
        return "modifier indicator 0: no modifier or documentation can bypass it"
    if em:
        return ("a significant, separately identifiable E/M service in the record would let it be billed with modifier "
                "25 (57 for the decision for surgery of a 90-day-global procedure; never 59 or X{EPSU} on an E/M)")
    return "a documented distinct service (separate site, lesion or session) would let it be billed with 59 or XS"


def validity_words(when: str) -> str:
    """The words before the date of a code out of force ``before`` its first day or ``after`` its last."""
    return "valid only from" if when == "before" else "deleted after"


def mue_scope(mai: int | None) -> str:
    """How far a unit limit reaches: per line for MUE adjudication indicator 1, else per date of service."""
    return "per line" if mai == 1 else "per date of service"


def excluded_detail(reason: str, rule: str | None = None, **slots: object) -> str:
    """The sentence for an ``excluded`` entry with ``reason`` (by ``rule`` where the reason has several rules).

    >>> excluded_detail("not_documented", "note.not_performed", code="77002").startswith("The note documents")
    True

    """
    return (_EXCLUDED_BY_RULE.get(rule or "") or _EXCLUDED[reason]).format(**slots)


def added_detail(reason: str, **slots: object) -> str:
    """The sentence for an ``added`` entry with ``reason``."""
    return _ADDED[reason].format(**slots)


def alert_detail(kind: str, rule: str, **slots: object) -> str:
    """The sentence for an alert: by rule where the kind has several rules, else by kind."""
    return (_ALERTS.get(rule) or _ALERTS[kind]).format(**slots)


def coverage_words(data: object) -> str:
    """Why a date of service is outside the loaded data (``[before|after|unseen, day]``), for ``rules_not_in_force``.

    Examples
    --------
    >>> coverage_words(["before", 20131001])
    'the loaded data is dated from 2013-10-01'
    >>> coverage_words(["unseen", 20151231])
    'a billed code whose first day is unknown is shown in use by no CMS row here before 2015-12-31'

    """
    if isinstance(data, list) and len(data) == 2 and isinstance(data[1], int):
        if data[0] == "before":
            return f"the loaded data is dated from {date_text(data[1])}"
        if data[0] == "unseen":
            return (f"a billed code whose first day is unknown is shown in use by no CMS row here before "
                    f"{date_text(data[1])}")
        return f"it is more than a year after the newest loaded data (covered through {date_text(data[1])})"
    return "it is outside the dates of the loaded data"
