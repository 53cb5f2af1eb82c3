"""Messaging channels (Rasa custom channels): Zalo Official Account and Facebook Messenger."""
