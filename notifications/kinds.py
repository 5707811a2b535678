"""The kinds of reminder, with the labels members see when they choose which ones they
want by email. notifications knows none of them itself: each app registers its own in its
AppConfig.ready() (``register``). Kinds nobody registered (the pipeline's and the events'
business notices) are listed under "其他" and can be muted all together."""

from django.utils.translation import gettext_lazy as _

OTHER = "other"
_REGISTERED = {}  # value -> label, in the order the apps registered them


def register(choices):
    """Register a TextChoices class of reminder kinds (value, label)."""
    for value, label in choices.choices:
        _REGISTERED[value] = label
    return choices


def preference_choices():
    """(value, label) pairs shown on the preferences page: the reminder kinds, then 其他."""
    return [*_REGISTERED.items(), (OTHER, _("其他业务通知（受理、答复、报名等）"))]


def preference_group(kind):
    """The preference a kind falls under: itself if it is a registered reminder, else 其他."""
    return kind if kind in _REGISTERED else OTHER
