"""The documents a deep Bilans hands over at its summary (S25): the Individual Development Plan
(IPR, S26) and the feedback document (informacja zwrotna, S27).

Each case has at most one editable draft of each document; handing it over freezes the draft as
version N (who, when) and the next edit starts a new draft from the last version, so every
version the participant received is kept unchanged, viewable and printable (HTML and PDF).
A deep case completes only when both documents have a handed-over version
(:mod:`scheduling.lifecycle`).
"""
