"""Claims in the formats scrubbers run: X12 837P and FHIR R4 Claim in; the edits report and the corrected 837P out.

A reader turns a claim file into contract encounters (``claim`` and ``lines[].line_id`` filled) and error
records naming the segment or FHIR path at fault; it never touches facts (design.md, "Layers"). See
docs/claims.md.
"""
