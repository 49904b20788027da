"""Background jobs of this feature (registered with app.jobs.job / periodic)."""
