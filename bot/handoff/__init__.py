"""Live takeover: an officer of the citizen's province takes a conversation over from the assistant
during office hours (hours), from a queue in the database (queue); Rasa is paused for the
conversation through its HTTP API (rasa_api) while the officer's replies go out through the
citizen's channel (senders) and into the tracker (takeover)."""
