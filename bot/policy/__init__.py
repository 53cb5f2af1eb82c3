"""The policy: the dated rules of bot/data/policy.yml, the figures the answers quote, and the
calculators of a citizen's own figures, with the Vietnamese wording of what they assume."""
