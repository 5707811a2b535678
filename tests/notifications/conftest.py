import pytest

from notifications import services


@pytest.fixture(autouse=True)
def _broker_state():
    """Each test starts with the broker considered up."""
    services._broker_down_until = 0.0
    yield
    services._broker_down_until = 0.0
