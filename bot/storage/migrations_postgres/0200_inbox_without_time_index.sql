-- PostgreSQL twin of migrations/0200_inbox_without_time_index.sql: the prune walks the primary key instead.
DROP INDEX inbox_received;
