"""The `bot` command (main) and its calculators' subcommands (calc)."""
