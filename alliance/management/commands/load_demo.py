from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from yichuan.demo import load_all


class Command(BaseCommand):
    help = "Load the demo alliance (6+12+6 units, venues, buildings, members, suggestions, events) and the demo accounts."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("演示数据只能在调试环境（DEBUG=on）下加载；生产环境拒绝执行。")
        with transaction.atomic():
            load_all(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("演示数据已就绪。"))
