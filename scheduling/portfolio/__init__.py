"""A case's portfolio and its competence card (MBK, Karta Bilansu Kompetencji), parts of the
case record (issue 14).

- The portfolio: the participant's evidence, each item either a physical thing shown at a
  meeting or a document, of one kind of evidence (a work sample, a photo, a film, a certificate,
  a diploma, a work certificate, references, other), with an optional file for a document. The
  file goes through the project's one upload check and file store (:mod:`app.records.uploads`,
  :mod:`app.records.files`) and is downloaded only from the case's record, by those who may
  read the case (the download is audited).
- The competence card: three columns per row: a learning outcome, the experience that confirms
  it, and the evidence (free text and links to the case's own portfolio items).

Layers: ``routes`` and ``demo`` -> ``service`` -> ``kinds`` (pure: the enums, their Polish
labels and the lengths) and ``models``.
"""
