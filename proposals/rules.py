"""Who may see and act on a suggestion, as `rules` predicates: views, templates and the
admin ask ``has_perm``. Visibility is the same answer as ``Suggestion.objects.visible_to``
(and reading in full as ``readable_by``); actions are the workflow table's."""

import rules

from alliance.rules import admin_perms, is_coordinator, is_liaison, is_member, is_staff_role

from . import workflow
from .models import Suggestion


@rules.predicate
def can_view_suggestion(user, suggestion):
    if suggestion is None:
        return False
    return Suggestion.objects.visible_to(user).filter(pk=suggestion.pk).exists()


@rules.predicate
def can_read_suggestion(user, suggestion):
    """Content, attachments and who submitted: not for a member who only follows it."""
    if suggestion is None:
        return False
    if suggestion.pk is not None and Suggestion.objects.reads_all_of(user,
                                                                   suggestion.alliance_id):
        return True  # what readable_by's query would answer, without asking
    return Suggestion.objects.readable_by(user).filter(pk=suggestion.pk).exists()


@rules.predicate
def is_submitter(user, suggestion):
    return suggestion is not None and suggestion.submitter_id == getattr(user, "pk", None)


@rules.predicate
def is_assigned_handler(user, suggestion):
    return suggestion is not None and suggestion.handler_id == getattr(user, "pk", None)


@rules.predicate
def can_see_internal_updates(user, suggestion):
    """Internal timeline entries are for staff and the liaisons of its units."""
    if suggestion is None:
        return False
    roles = workflow.actor_roles(user, suggestion)
    return bool(roles & {workflow.COORDINATOR, workflow.HANDLER, workflow.LIAISON})


@rules.predicate
def can_see_attachment(user, attachment):
    """A file of a suggestion one may read in full; internal evidence (marked internal, or
    on an internal entry) only for those who see internal timeline entries."""
    if attachment is None or not can_read_suggestion(user, attachment.suggestion):
        return False
    return attachment.shown_to_submitter or can_see_internal_updates(user, attachment.suggestion)


def may_take(action):
    @rules.predicate(name=f"may_{action}")
    def predicate(user, suggestion):
        return suggestion is not None and workflow.may(user, suggestion, action) is not None

    return predicate


rules.add_perm("proposals.submit_suggestion", is_member | is_staff_role)
rules.add_perm("proposals.record_on_behalf", is_staff_role)
rules.add_perm("proposals.view_work_queue", is_staff_role)
rules.add_perm("proposals.see_every_suggestion", is_coordinator)
rules.add_perm("proposals.co_handle", is_liaison)
rules.add_perm("proposals.see_suggestion", can_view_suggestion)
rules.add_perm("proposals.read_suggestion", can_read_suggestion)
rules.add_perm("proposals.see_internal_updates", can_see_internal_updates)
rules.add_perm("proposals.see_attachments", can_read_suggestion)
rules.add_perm("proposals.see_attachment", can_see_attachment)
rules.add_perm("proposals.manage_calendar", is_coordinator)
for _action in workflow.WORKFLOW.actions:
    rules.add_perm(f"proposals.{_action}", may_take(_action))
admin_perms("proposals", ("category",))
