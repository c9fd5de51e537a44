-- The inbox no longer keeps an index on received_at: every update wrote a page of it (in WAL mode each page a
-- commit touches is written out again, and that write is most of what a commit costs), and only the prune at
-- start-up read it. The prune now reads the rows in the order they were kept (their ids) up to the first one
-- received since the cut-off, which reads what it deletes and one row more (bot/storage/inbox.py).
DROP INDEX inbox_received;
