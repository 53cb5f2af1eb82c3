"""The citizens' requests for a callback: the tables (models), the checks a request passes (checks)
and the store the conversation and the staff pages use (store)."""
