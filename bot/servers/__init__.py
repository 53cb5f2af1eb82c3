"""The servers' entry points: the action server with its token check (action_server), Rasa's
command line with the HTTP API token (rasa_server), and the tokens both need (tokens)."""
