"""Whole notes in styles the development corpus does not use: the five labelled fields, end to end."""

from __future__ import annotations

import pytest

from fluorologic.notes import scan_note

# (note, (fluoroscopy_used, fluoroscopy_negated, fluoroscopy_time_seconds, recommended_fluoro_code, spinal))
CASES = [
 ("PROCEDURE: Left knee arthrogram for MRI.\nTECHNIQUE: After informed consent, the left knee was "
  "prepped. Under fluoroscopic guidance, a 22-gauge needle was advanced into the lateral "
  "patellofemoral joint. Intra-articular position was confirmed with 1 mL of iodinated contrast. 20 mL "
  "of dilute gadolinium was injected. Fluoroscopy time: 24 seconds. The patient was sent to MRI.",
  (True, False, 24, "77002", False)),
 ("Procedure: Bilateral L4-5 and L5-S1 facet joint injections.\nFluoro time 1.1 min. DAP 45 "
  "cGy·cm2.\nThe patient tolerated the procedure well.",
  (True, False, 66, "bundled", True)),
 ("PREOPERATIVE DIAGNOSIS: Left intertrochanteric femur fracture.\nPROCEDURE: Cephalomedullary nailing "
  "of left intertrochanteric femur fracture.\nDESCRIPTION: The patient was positioned on the fracture "
  "table and the C-arm was positioned for AP and lateral views. Closed reduction was obtained. The "
  "guide pin was placed into the femoral head. Total fluoroscopy time 62 seconds.",
  (True, False, 62, "bundled", False)),
 ("Procedure: Right knee corticosteroid injection. Landmark guided. 40 mg Kenalog injected into the "
  "knee joint.",
  (False, False, None, "none", False)),
 ("PROCEDURE: Right L5-S1 transforaminal epidural steroid injection.\nFluoroscopy time: 00:32.",
  (True, False, 32, "bundled", True)),
 ("OPERATION: T12 vertebroplasty.\nUnder biplanar fluoroscopy the trocar was advanced. Fluoroscopy "
  "time was 3 minutes 10 seconds.",
  (True, False, 190, "bundled", True)),
 ("PROCEDURE: Right carpal tunnel release.\nA longitudinal incision was made and the transverse carpal "
  "ligament released.",
  (False, False, None, "none", False)),
 ("ASSESSMENT: Lumbar radiculopathy.\nPLAN: Schedule L5-S1 ESI under fluoroscopy next week.",
  (False, False, None, "none", None)),
 ("HISTORY: A prior epidural under fluoroscopy was helpful.\nPROCEDURE: Caudal epidural steroid "
  "injection was performed without fluoroscopy using loss of resistance.",
  (False, True, None, "none", True)),
 ("PROCEDURE: Open reduction internal fixation, right ankle bimalleolar fracture.\nMini C-arm was used "
  "to confirm reduction and hardware placement. Fluoro time 0.3 min.",
  (True, False, 18, "bundled", False)),
 ("PROCEDURE: Left SI joint injection under fluoroscopic guidance with contrast.",
  (True, False, None, "bundled", True)),
 ("PROCEDURE: Epidural blood patch, L2-3.\nFluoroscopic guidance was used to identify the L2-3 "
  "interspace.",
  (True, False, None, "77003", True)),
 ("PROCEDURE: Right glenohumeral joint injection under fluoroscopy.", (True, False, None, "77002", False)),
 ("PROCEDURE: Radiofrequency ablation of the right L3 and L4 medial branches and L5 dorsal ramus under "
  "fluoroscopic guidance.",
  (True, False, None, "bundled", True)),
 ("PROCEDURE: Right trigger finger release. No imaging was required.", (False, False, None, "none", False)),
 ("PROCEDURE: Lumbar interlaminar epidural steroid injection at L4-5.\nThe C-arm was not used; the "
  "epidural space was found with loss of resistance.",
  (False, True, None, "none", True)),
 ("PROCEDURE: Left hip aspiration.\nThe hip was aspirated under fluoroscopic guidance; 8 mL of cloudy "
  "fluid was sent for culture.",
  (True, False, None, "77002", False)),
 ("PROCEDURE: Percutaneous pinning of a right distal radius fracture under mini-fluoroscopy.",
  (True, False, None, "bundled", False)),
 ("PROCEDURE: L3-L4 lumbar discogram.\nUnder fluoroscopy, needles were placed into the L3-4 disc.",
  (True, False, None, "bundled", True)),
 ("PROCEDURE: Right lumbar sympathetic block at L3 with fluoroscopic guidance.", (True, False, None, "77003", True)),
]


@pytest.mark.parametrize(("note", "expected"), CASES)
def test_note_styles(note, expected):
    f = scan_note(note)
    assert (f.fluoroscopy_used, f.fluoroscopy_negated, f.fluoroscopy_time_seconds, f.recommended_fluoro_code,
            f.spinal) == expected
