"""Display of where a suggestion stands; the meaning comes from proposals.workflow."""

from django import template

from proposals import workflow

register = template.Library()

# How each tone of the table (workflow.tone) looks.
TONE_CLASSES = {
    "ended": "text-bg-secondary",
    "done": "text-bg-success",
    "member": "text-bg-primary",
    "triage": "text-bg-warning",
    "working": "text-bg-info",
}


@register.filter
def tone_class(suggestion):
    return TONE_CLASSES[workflow.tone(suggestion)]
