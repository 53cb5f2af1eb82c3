"""Personal data (Personal Data Protection Law 91/2025/QH15, Decree 356/2025/NĐ-CP): erasure on a
citizen's request (erasure.py), retention (retention.py), what is stored about a conversation
(stored.py), and Rasa's tracker store, which writes redacted what an erasure covered (tracker_store.py).

Personal data lives in four places: the lead (name, phone, commune, time to call), Rasa's tracker
store (the `events` table: what the citizen and the assistant wrote, slot values), the trainers'
review inbox (copies of messages) and the outbox (requests waiting for the database).

Tracker events are redacted in place, never deleted: Rasa's SQL tracker store appends a turn's
events after as many rows as it already holds for the session, so a deleted row would be written
again from the tracker Rasa holds in memory. Intents, action names and timestamps stay for the
statistics. The events of the turn in progress when an erasure happens (the withdrawal message
itself) reach the database after it: tracker_store.py redacts them as Rasa writes them."""
