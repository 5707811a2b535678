"""The portal's get_FOO_display() answers as Django's own does, in the active language."""

import pytest
from django.apps import apps
from django.db import models
from django.utils import translation

from yichuan.choices import ChoiceLabelsMixin

MODELS = [m for m in apps.get_models() if issubclass(m, ChoiceLabelsMixin)]


def test_the_listed_models_use_it():
    names = {m.__name__ for m in MODELS}
    assert {"Suggestion", "SuggestionUpdate", "Feedback", "Event", "Registration",
            "Announcement", "Unit", "Venue", "Membership", "AuditEntry", "Delivery"} <= names


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_choice_shows_as_djangos_own_display_would(model, language):
    fields = [f for f in model._meta.concrete_fields if f.choices]
    assert fields
    with translation.override(language):
        for field in fields:
            for value, _label in [*field.flatchoices, ("not-a-choice", None)]:
                obj = model(**{field.attname: value})
                ours = getattr(obj, f"get_{field.name}_display")()
                assert ours == models.Model._get_FIELD_display(obj, field)


def test_labels_follow_the_language_of_each_call():
    from volunteers.models import Event

    event = Event(kind=Event.Kind.SALON)
    with translation.override("zh-hans"):
        assert event.get_kind_display() == "汇智沙龙"
    with translation.override("en"):
        assert event.get_kind_display() == "Huizhi Salon"
    with translation.override("zh-hans"):
        assert event.get_kind_display() == "汇智沙龙"
