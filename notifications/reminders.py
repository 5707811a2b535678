"""How a reminder scan writes its notifications, for the apps that own the scans
(proposals.reminders, volunteers.reminders). It knows no workflow and no events: it walks
the due objects it is given in primary-key batches and writes one notification per
(kind, object, due date, recipient). The dedup key is unique in the database, so re-runs,
two beat processes and redelivered tasks write nothing twice, and a changed deadline makes
a new key. Keys already written are found with one query per batch."""

import logging

from notifications.services import existing_keys, notify_many, preferences_for

logger = logging.getLogger(__name__)

BATCH = 1000  # due items per query; with their recipients, one INSERT each


def remind(queryset, *, kind, recipients_for, key, context, url, target=lambda obj: obj):
    """Notify the recipients of every due object in ``queryset``, once per key.

    ``recipients_for(objs)`` maps a batch to ``{obj.pk: [users]}`` with a bounded number of
    queries; ``key(obj, user)`` is the dedup key. Returns how many notifications were new.
    """
    written = 0
    last_pk = 0
    while True:
        objs = list(queryset.filter(pk__gt=last_pk).order_by("pk")[:BATCH])
        if not objs:
            break
        last_pk = objs[-1].pk
        recipients = recipients_for(objs)
        pairs = [(obj, user) for obj in objs for user in recipients.get(obj.pk, ()) if user]
        written += write(pairs, kind=kind, key=key, context=context, url=url, target=target)
        if len(objs) < BATCH:
            break
    if written:
        logger.info("scan %s: %s new notifications", kind, written)
    return written


def write(pairs, *, kind, key, context, url, target):
    """Write the (object, user) notifications whose key is new: one query finds the keys
    already written, one loads the recipients' preferences, and notify_many writes the
    rest with two INSERTs and one message to the broker."""
    keyed = {}  # a handler who is also a coordinator is reminded once
    for obj, user in pairs:
        keyed.setdefault(key(obj, user)[:200], (obj, user))
    done = existing_keys(list(keyed))
    todo = [(k, obj, user) for k, (obj, user) in keyed.items() if k not in done]
    preferences = preferences_for([user.pk for _k, _obj, user in todo])
    # Context, link and target once per object, shared by its recipients (notify_many
    # renders the words once too); a link is a URL reversal.
    per_object = {}
    items = []
    for k, obj, user in todo:
        if id(obj) not in per_object:
            per_object[id(obj)] = {"context": context(obj), "url": url(obj),
                                   "target": target(obj)}
        items.append({"recipient": user, "kind": kind, "key": k, **per_object[id(obj)],
                      "preference": preferences[user.pk]})
    return notify_many(items)
