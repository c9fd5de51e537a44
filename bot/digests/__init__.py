"""The secretariat's digests: what they say (compose), the weekly chart (chart), and the job that sends
each due window once (jobs)."""
