"""Waiting lists numbered from 1 without gaps: positions are now kept live (those behind a
person who leaves the line move up), and the lines written before that had gaps."""

from django.db import migrations


def renumber(apps, schema_editor):
    Registration = apps.get_model("volunteers", "Registration")
    waiting = (Registration.objects.filter(state="waitlisted")
               .order_by("event_id", "position", "id").only("pk", "event_id", "position"))
    changed, event_id, place = [], None, 0
    for registration in waiting.iterator(chunk_size=2000):
        if registration.event_id != event_id:
            event_id, place = registration.event_id, 0
        place += 1
        if registration.position != place:
            registration.position = place
            changed.append(registration)
    Registration.objects.bulk_update(changed, ["position"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("volunteers", "0002_certificates_and_correction_requests")]

    operations = [migrations.RunPython(renumber, migrations.RunPython.noop)]
