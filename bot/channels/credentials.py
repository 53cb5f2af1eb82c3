"""The Rasa server's credentials file for this environment: the channels of credentials.yml whose
${VARIABLES} are all set (secrets stay in the environment: the file keeps the ${...} references,
which Rasa expands when it reads it)."""
from __future__ import annotations

import re
from typing import Any, Mapping

import yaml

_VARIABLE = re.compile(r"\$\{(\w+)\}")


def variables(section: Any) -> list[str]:
    return _VARIABLE.findall(yaml.safe_dump(section)) if section else []


def enabled_channels(template: Mapping[str, Any], env: Mapping[str, str]) -> tuple[dict[str, Any], list[str]]:
    """The sections to keep, and a line for each channel left out while some of its variables are set."""
    kept, notes = {}, []
    for channel, section in template.items():
        names = variables(section)
        missing = [n for n in names if not env.get(n)]
        if not missing:
            kept[channel] = section
        elif len(missing) < len(names):
            notes.append(f"{channel.rsplit('.', 1)[-1]} is off: {', '.join(missing)} not set")
    return kept, notes
