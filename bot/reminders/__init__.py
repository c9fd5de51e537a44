"""Reminders and escalations: planned by a pure function from the database's facts, woken every minute by
bot.scheduler."""
