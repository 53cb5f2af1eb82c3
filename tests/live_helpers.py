"""Helpers of the conversation tests over REST (the session's assistant is tests/conftest.py's
`assistant` fixture)."""
import time


def text_of(messages):
    return "\n".join(m.get("text", "") for m in messages)


def tap(assistant, messages, title, sender):
    """What a chat widget sends when the button with this title, in the assistant's latest messages,
    is tapped: its payload."""
    (payload,) = [b["payload"] for m in messages for b in m.get("buttons", []) if b["title"] == title]
    return assistant.say(payload, sender=sender)


def timed_say(assistant, text, sender):
    started = time.monotonic()
    messages = assistant.say(text, sender=sender)
    return time.monotonic() - started, messages


def metric(exposition: str, name: str, **labels: str) -> float:
    """The value of one sample in a Prometheus scrape (0 when absent: a counter not yet moved)."""
    return sum(value for sample_labels, value in _samples(exposition, name) if sample_labels == labels)


def metric_total(exposition: str, name: str) -> float:
    """The sum of a metric's samples over all its labels."""
    return sum(value for _, value in _samples(exposition, name))


def _samples(exposition: str, name: str):
    from prometheus_client.parser import text_string_to_metric_families

    for family in text_string_to_metric_families(exposition):
        for sample in family.samples:
            if sample.name == name:
                yield sample.labels, sample.value
