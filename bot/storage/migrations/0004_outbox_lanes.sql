-- The worker sends each messenger's messages in its own lane and asks only for that messenger's due
-- messages, so a backlog on one (a messenger that is down, or not configured) is never scanned by another.
CREATE INDEX outbox_due_by_channel ON outbox (channel, status, not_before);
