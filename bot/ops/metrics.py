"""Prometheus metrics of the two servers (prometheus_client), for a Prometheus server to scrape.

The action server, `GET /metrics` with its token BOT_ACTIONS_TOKEN (bot/servers/action_server.py):
    bot_actions_total{action}                 action calls run (the Rasa server asks for one per
                                              custom action it predicts)
    bot_action_errors_total{action}           of those, the ones that raised an exception
    bot_action_duration_seconds{action}       histogram: from the call's arrival to its answer
    bot_leads_total{outcome}                  callback requests handed to bot/outbox.py's Desk:
                                              stored, queued (outbox: database down), refused
    bot_outbox_pending                        requests and withdrawals waiting in the outbox
    bot_outbox_dead_letters                   entries set aside for a person to look at
The Rasa server, `GET /metrics` with BOT_API_TOKEN (bot/servers/rasa_server.py), counting what its
tracker store saves (bot/privacy/tracker_store.py):
    bot_user_messages_total{intent}           messages received, by the intent recognised
                                              (nlu_fallback: not understood)
    bot_bot_messages_total{response}          messages sent, by response (utter_nlu_fallback: the
                                              "I did not understand" answer)

Labels hold only names the project defines (actions, intents, responses, outcomes), never what a
citizen wrote; a name outside the domain (anyone can type "/anything") is counted as OTHER.

Several worker processes: prometheus_client's multiprocess mode. With PROMETHEUS_MULTIPROC_DIR set
in a server's environment when it starts (scripts/run.sh gives each server an empty directory of
its own under var/metrics/), every process writes its values to files there and a scrape adds them
up; without it, the process keeps them in memory (and the scrape adds Python's process metrics)."""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Iterable, Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import REGISTRY, Collector

if TYPE_CHECKING:
    from bot.outbox import Outbox

OTHER = "other"
CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4  # the classic text format every Prometheus reads

# Every metric has a label, so none has a sample before its first use: a server's scrape shows values
# of its own metrics only.
ACTIONS = Counter("bot_actions", "Action calls run by the action server.", ["action"])
ACTION_ERRORS = Counter("bot_action_errors", "Action calls that raised an exception.", ["action"])
ACTION_SECONDS = Histogram("bot_action_duration_seconds", "Time to answer an action call.", ["action"])
LEADS = Counter("bot_leads", "Callback requests recorded, by outcome.", ["outcome"])
USER_MESSAGES = Counter("bot_user_messages", "Messages received, by intent.", ["intent"])
BOT_MESSAGES = Counter("bot_bot_messages", "Messages sent, by response.", ["response"])


def action_ran(action: str, seconds: float, failed: bool) -> None:
    ACTIONS.labels(action).inc()
    ACTION_SECONDS.labels(action).observe(seconds)
    if failed:
        ACTION_ERRORS.labels(action).inc()


def lead_recorded(outcome: str) -> None:
    LEADS.labels(outcome).inc()


def user_message(intent: str | None, known: Iterable[str]) -> None:
    USER_MESSAGES.labels(_named(intent, known)).inc()


def bot_message(response: str | None, known: Iterable[str]) -> None:
    BOT_MESSAGES.labels(_named(response, known)).inc()


def _named(name: str | None, known: Iterable[str]) -> str:
    return name if name is not None and name in known else OTHER


class OutboxCollector(Collector):
    """The outbox's depth, counted when Prometheus scrapes (files, not values kept by a process)."""

    def __init__(self, outbox: Outbox) -> None:
        self.outbox = outbox

    def collect(self) -> Iterator[Metric]:
        pending, dead = self.outbox.depth()
        yield GaugeMetricFamily("bot_outbox_pending", "Entries waiting in the lead outbox.", value=pending)
        yield GaugeMetricFamily("bot_outbox_dead_letters", "Outbox entries set aside for a person.", value=dead)


class _Scrape(Collector):
    def __init__(self, *sources: Collector) -> None:
        self.sources = sources

    def collect(self) -> Iterator[Metric]:
        for source in self.sources:
            yield from source.collect()


def exposition(*extra: Collector, multiprocess_dir: str | None = None) -> bytes:
    """This server's metrics in Prometheus' text format: those of every process writing to
    `multiprocess_dir` (default PROMETHEUS_MULTIPROC_DIR), else this process's, then `extra`."""
    directory = multiprocess_dir or os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        own = CollectorRegistry()
        MultiProcessCollector(own, path=directory)
    else:
        own = REGISTRY
    return generate_latest(_Scrape(own, *extra))
