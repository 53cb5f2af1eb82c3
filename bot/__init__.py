"""Domain logic of the voluntary social insurance assistant (no Rasa imports outside bot.nlu)."""
