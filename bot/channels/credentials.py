"""The Rasa server's credentials file for this environment: the channels of credentials.yml whose
${VARIABLES} are all set (secrets stay in the environment: the file keeps the ${...} references,
which Rasa expands when it reads it), without the REST channel when BOT_REST_CHANNEL=off."""
from __future__ import annotations

import re
from typing import Any, Mapping

import yaml

_VARIABLE = re.compile(r"\$\{(\w+)\}")
REST_SWITCH = "BOT_REST_CHANNEL"
_OFF = {"off", "0", "false", "no"}


def variables(section: Any) -> list[str]:
    return _VARIABLE.findall(yaml.safe_dump(section)) if section else []


def serves_rest(channel: str) -> bool:
    """Whether a section is the channel of /webhooks/rest/: Rasa's `rest`, or any class that keeps its
    name (a channel's webhooks are under /webhooks/<name()>/), e.g. a subclass of RestInput."""
    from rasa.core.channels import BUILTIN_CHANNELS
    from rasa.core.channels.rest import RestInput
    from rasa.shared.utils.common import class_from_module_path

    channel_class = BUILTIN_CHANNELS.get(channel) or class_from_module_path(channel)
    return channel_class.name() == RestInput.name()


def enabled_channels(template: Mapping[str, Any], env: Mapping[str, str]) -> tuple[dict[str, Any], list[str]]:
    """The sections to keep, and a line for each channel left out while some of its variables are set
    or because the REST channel is switched off."""
    kept, notes = {}, []
    rest_off = env.get(REST_SWITCH, "").strip().lower() in _OFF
    for channel, section in template.items():
        names = variables(section)
        missing = [n for n in names if not env.get(n)]
        if rest_off and serves_rest(channel):
            notes.append(f"{channel.rsplit('.', 1)[-1]} is off: {REST_SWITCH}={env[REST_SWITCH]}")
        elif not missing:
            kept[channel] = section
        elif len(missing) < len(names):
            notes.append(f"{channel.rsplit('.', 1)[-1]} is off: {', '.join(missing)} not set")
    return kept, notes
