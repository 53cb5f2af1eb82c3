"""The conversation's own logic, in plain Python that the Rasa actions and the NLG call: what each
calculation needs and says, the callback request, the "my situation" advice, the scenarios, the
office directory, and the replies they produce."""
