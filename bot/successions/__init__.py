"""Units merged and split by law: the succession table read at start-up, and the question a split unit
puts to the secretariat (asked through the outbox from start-up and the command line, and again by
/tachdonvi)."""
