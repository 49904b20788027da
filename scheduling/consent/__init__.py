"""Whether a participant may be contacted after the fact (reminders, surveys, aftercare): one
rule every sender asks. A package of its own so the senders (booking, aftercare) and the
privacy pages can all read it without a circle between them."""
