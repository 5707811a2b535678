import pytest

from tests.factories import EventFactory, UnitFactory


@pytest.fixture
def event(db):
    return EventFactory(organizers=[UnitFactory()])
