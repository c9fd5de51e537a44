"""The secretariat's digests: what they say (compose), the weekly chart (chart), and sending
each due window once (jobs), woken every minute by bot.scheduler."""
