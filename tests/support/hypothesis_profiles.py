"""Hypothesis settings for this suite: few examples and no deadline, so property tests stay quick on a small
machine. HYPOTHESIS_PROFILE=thorough asks for many more when hunting for a bug."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# Each example of a conversation test shares the test's one app (a function-scoped fixture) on purpose.
_SHARED = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
settings.register_profile("default", max_examples=30, deadline=None, suppress_health_check=_SHARED)
settings.register_profile("thorough", max_examples=1000, deadline=None, suppress_health_check=_SHARED)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
