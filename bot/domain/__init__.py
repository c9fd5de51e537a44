"""Nouns of the domain and the rules that need no I/O."""
