"""Reminders and escalations: planned by a pure function from the database's facts, woken by APScheduler."""
