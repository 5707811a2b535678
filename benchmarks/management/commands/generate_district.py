"""Fill the bench database with a district: `manage.py generate_district --suggestions N`.

Available with yichuan.settings.bench only (the benchmarks app is installed there). Expects
an empty, migrated database; `make bench` recreates one for every run.
"""

from django.core.management.base import BaseCommand, CommandError

from benchmarks import generator


class Command(BaseCommand):
    help = "Generate a district-scale data set with COPY (suggestions, timelines, events)."

    def add_arguments(self, parser):
        parser.add_argument("--suggestions", type=int, default=100_000)
        parser.add_argument("--alliances", type=int, default=10)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, suggestions, alliances, seed, **options):
        from alliance.models import Alliance

        if Alliance.objects.exists():
            raise CommandError("The database is not empty: generate into a fresh database.")
        fixture = generator.generate(suggestions=suggestions, alliances=alliances, seed=seed,
                                     log=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(f"Generated: {fixture['counts']}"))
