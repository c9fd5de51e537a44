"""Channels: one per messenger. Each turns platform updates into Incoming and renders Replies."""
