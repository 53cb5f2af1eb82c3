"""Vietnamese text and the rule-based parsers of what people write: folding, amounts of money,
phone numbers, provinces, target groups, and the entities of a message."""
