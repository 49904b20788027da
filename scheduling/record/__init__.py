"""The case record's own parts written in the counsellor's words: the participant card, the
biographical interview (by area, with the coordinator's question lists), the behavioural
interview on the STAR model, and the overview of every section of the record.

The question lists ("kafeteria pytań") live here too, because the interviews ask them; the IPR's
scenario questions are a list of the same table, read by the development plan through
:func:`scheduling.record.questions.active_questions`.
"""
