"""What the pipeline contributes to `/` (golden ideas), `/me/` (my suggestions) and the
event page (the suggestions raised there, at a 汇智沙龙 or a 座谈会)."""

from proposals.models import Suggestion
from yichuan.home import event_section, home_section, me_section

ME_LIMIT = 5
HOME_LIMIT = 4


@me_section
def my_suggestions(request):
    """Always shown to a signed-in user, with an empty state when they have none."""
    suggestions = list(Suggestion.objects.filter(alliance=request.alliance,
                                                 submitter=request.user)
                       .only("pk", "tracking_number", "title", "state", "not_implemented",
                             "awaiting_coordinator")
                       .order_by("-submitted_at", "-pk")[:ME_LIMIT])
    return {"template": "proposals/_me_suggestions.html", "suggestions": suggestions}


@home_section
def golden_ideas(request):
    ideas = list(Suggestion.objects.filter(alliance=request.alliance).golden()
                 .only("pk", "title", "golden_summary", "closed_at")
                 .order_by("-closed_at", "-pk")[:HOME_LIMIT])
    if not ideas:
        return None
    return {"template": "proposals/_home_golden.html", "ideas": ideas}


@event_section
def raised_here(request, event):
    """The suggestions raised at this event, as far as this viewer may read them."""
    raised = list(Suggestion.objects.readable_by(request.user).filter(source_event=event)
                  .only("pk", "tracking_number", "title", "state", "not_implemented",
                        "awaiting_coordinator")
                  .order_by("-submitted_at")[:20])
    if not raised:
        return None
    return {"template": "proposals/_event_raised.html", "raised": raised}
