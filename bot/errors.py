"""Errors that stop start-up with a message for the operator instead of a traceback."""


class StartupError(Exception):
    pass
