"""Rule data: embedded tables, the store, CMS readers.

Rule data: the embedded CMS tables indexed by code (ruledata), the local store of imported quarters (store,
storedata, storediff), the readers of the official CMS files (cms/), which data a run uses (source) and the
wording of rule rows (messages). Uses only the contract.
"""
