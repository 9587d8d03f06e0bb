"""Built once per test session, for tests that only read them (the models are frozen)."""

import functools
from pathlib import Path

from ppp_gsuite.workspace import Loaded, load_all

MINIMAL = Path(__file__).parent / "fixtures" / "minimal"


@functools.cache
def minimal() -> Loaded:
    """The minimal fixture workspace's config, forms and sheet layouts, loaded and checked."""
    return load_all(MINIMAL / "ppp-gsuite.yaml")
