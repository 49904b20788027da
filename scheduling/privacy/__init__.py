"""A participant's personal data (GDPR): export (JSON and PDF), erasure by anonymisation that
keeps the quarter's indicators, and the retention job that erases through the same service."""
