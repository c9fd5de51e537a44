-- PostgreSQL twin of migrations/0210_reminder_keys_in_byte_order.sql. The planner reads one period's decided
-- steps as a range of the primary key, from "rem:<period>:" up to "rem:<period>;" (";" is the byte after ":").
-- That holds only where text sorts by bytes. A database created with a language's collation (a host's default
-- en_US.UTF-8, or an ICU locale) orders punctuation otherwise: ICU puts ";" before ":", so every range was
-- empty, every step looked undecided and the planner decided it again at every tick. The key column now sorts
-- by bytes whatever the database's collation, and its primary key index is rebuilt in that order.
ALTER TABLE reminder_log ALTER COLUMN key TYPE TEXT COLLATE "C";
