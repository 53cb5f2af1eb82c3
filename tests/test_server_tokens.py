"""The servers' tokens: given in the environment, or generated once into var/ (owner-only files) and
reused; `bot tokens env` hands them to scripts/run.sh."""
import os
import stat
import subprocess

import pytest

from bot.cli.main import main
from bot.servers.tokens import TokenError, server_tokens

ROOT = __import__("conftest").ROOT
GIVEN = "0123456789abcdef0123456789abcdef"


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_tokens_are_generated_once_into_owner_only_files_and_reused(tmp_path):
    first = server_tokens(tmp_path / "var", {})
    assert sorted(p.name for p in (tmp_path / "var").iterdir()) == ["actions.token", "api.token"]
    assert mode(tmp_path / "var" / "actions.token") == 0o600 and mode(tmp_path / "var" / "api.token") == 0o600
    assert (tmp_path / "var" / "api.token").read_text().strip() == first["BOT_API_TOKEN"]
    assert first["BOT_API_TOKEN"] != first["BOT_ACTIONS_TOKEN"]
    assert len(first["BOT_API_TOKEN"]) >= 32
    assert server_tokens(tmp_path / "var", {}) == first, "a later start reuses them"


def test_a_token_from_the_environment_wins_and_is_not_written(tmp_path):
    tokens = server_tokens(tmp_path, {"BOT_API_TOKEN": GIVEN})
    assert tokens["BOT_API_TOKEN"] == GIVEN
    assert not (tmp_path / "api.token").exists()
    assert (tmp_path / "actions.token").exists()


@pytest.mark.parametrize("weak", ["secret", "a" * 31, "a" * 31 + " ", "é" * 40, "a" * 31 + "&"])
def test_a_weak_or_unsafe_token_is_refused(tmp_path, weak):
    with pytest.raises(TokenError, match="BOT_ACTIONS_TOKEN"):
        server_tokens(tmp_path, {"BOT_ACTIONS_TOKEN": weak})


def test_a_restored_token_file_is_tightened_and_a_damaged_one_refused(tmp_path):
    (tmp_path / "actions.token").write_text(GIVEN + "\n")
    os.chmod(tmp_path / "actions.token", 0o644)
    assert server_tokens(tmp_path, {})["BOT_ACTIONS_TOKEN"] == GIVEN
    assert mode(tmp_path / "actions.token") == 0o600
    (tmp_path / "api.token").write_text("")
    with pytest.raises(TokenError, match="api.token"):
        server_tokens(tmp_path, {})


def test_bot_tokens_env_gives_lines_a_shell_can_eval(tmp_path):
    script = f'eval "$({ROOT}/.venv/bin/bot tokens env --dir {tmp_path})"; echo "$BOT_API_TOKEN|$BOT_ACTIONS_TOKEN"'
    env = {**os.environ, "BOT_API_TOKEN": GIVEN}
    env.pop("BOT_ACTIONS_TOKEN", None)
    out = subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True, check=True).stdout
    assert out == f"{GIVEN}|{(tmp_path / 'actions.token').read_text().strip()}\n"


def test_bot_tokens_env_fails_on_a_weak_token(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("BOT_API_TOKEN", "secret")
    assert main(["tokens", "env", "--dir", str(tmp_path)]) == 2
    out = capsys.readouterr()
    assert out.out == "" and "BOT_API_TOKEN" in out.err


def test_an_api_token_starting_with_a_dash_reaches_rasa_as_the_token(monkeypatch):
    """token_urlsafe starts with "-" once in 64: Rasa's argument parser must still read it as the token."""
    from rasa.__main__ import create_argument_parser

    from bot.servers import rasa_server

    token = "-" + GIVEN
    monkeypatch.setenv("BOT_API_TOKEN", token)
    started = []
    monkeypatch.setattr(rasa_server, "rasa_main", lambda: started.append(list(rasa_server.sys.argv)))
    rasa_server.main(["run", "--enable-api"])
    (argv,) = started
    assert create_argument_parser().parse_args(argv[1:]).auth_token == token
