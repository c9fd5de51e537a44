"""Hypothesis settings for this suite: few examples and no deadline, so property tests stay quick on a small
machine. HYPOTHESIS_PROFILE=thorough asks for many more when hunting for a bug."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings
from hypothesis.internal.conjecture import providers

# Each example of a conversation test shares the test's one app (a function-scoped fixture) on purpose.
_SHARED = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
settings.register_profile("default", max_examples=30, deadline=None, suppress_health_check=_SHARED)
settings.register_profile("thorough", max_examples=1000, deadline=None, suppress_health_check=_SHARED)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

# Hypothesis now and then tries a constant found in the source of the modules loaded from this project: it parses
# every module of the bot to find them, about 1.2 s of processor time in each test worker on a fresh clone
# (and again whenever a test loads more of them), for the few examples drawn here. The thorough profile keeps
# them; the default draws from Hypothesis's own constants only. Hypothesis has no setting for it.
if os.environ.get("HYPOTHESIS_PROFILE", "default") == "default" and hasattr(providers, "_get_local_constants"):
    providers._get_local_constants = lambda: providers._local_constants
