"""The contract: what every caller hands fluorologic and gets back.

The contract (contract.md): the Encounter and Result defined once (schema), validation with field-named errors,
the places of service, the error types and the JSON text of a Result. The bottom layer: it imports no other.
"""
