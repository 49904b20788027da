"""After a Bilans: the training vouchers a participant obtains within 12 months of completing
it (S31, S32), the counsellor's follow-up tasks at 10 and 12 months, and the outcome survey sent
at 3 and 12 months with the participant's consent (S33).

``rules`` (pure) holds the limits, the 13% share and which step is due when; ``service`` the
use cases; ``jobs`` the periodic job that takes the steps; ``routes`` the staff page
``/cases/{code}/record/vouchers``; ``public_routes`` the survey behind its one-time link."""
