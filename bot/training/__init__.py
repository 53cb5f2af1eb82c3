"""The trainers' tools: the checks of the training data and the domain (datacheck), the held-out
NLU evaluation (evaluation) and the review inbox of the messages the assistant was unsure of (review)."""
