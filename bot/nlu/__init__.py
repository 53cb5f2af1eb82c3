"""Rasa NLU components: the only part of bot/ that imports Rasa, a thin shell around bot.language.text
and bot.language.extract."""
