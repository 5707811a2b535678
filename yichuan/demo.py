"""The demo loaders, in dependency order. Each module has ``load(*, stdout=None)``."""

import importlib

DEMO_MODULES = [
    "alliance.demo", "volunteers.demo", "proposals.demo", "announcements.demo",
]


def load_all(*, stdout=None):
    for dotted in DEMO_MODULES:
        try:
            module = importlib.import_module(dotted)
        except ModuleNotFoundError as exc:
            if exc.name != dotted:
                raise
            continue  # that app brings no demo data (yet)
        module.load(stdout=stdout)
