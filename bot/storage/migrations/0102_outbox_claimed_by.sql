-- Which process claimed a message being sent, so that a process starting up can tell the claims of a dead
-- process (uncertain at once) from those of a live one (left alone).
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
