"""The only place that speaks SQL: the database, its migrations and the repositories."""
