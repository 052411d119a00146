"""Shared test settings: the hypothesis profiles of the fuzz and property tests.

`default` keeps the whole suite quick; `python -m pytest --hypothesis-profile=long` searches
twenty times longer (tests/test_fuzz.py).
"""

from hypothesis import HealthCheck, settings

settings.register_profile(
    "default", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
settings.register_profile("long", parent=settings.get_profile("default"), max_examples=2000)
settings.load_profile("default")  # pytest's --hypothesis-profile, when given, is loaded after this
