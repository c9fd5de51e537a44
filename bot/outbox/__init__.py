"""Sending what the outbox holds, within each messenger's limits, exactly once where it can be known."""
