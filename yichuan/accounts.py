"""Account policy for django-allauth: members' accounts are made by staff, not by sign-up."""

from allauth.account.adapter import DefaultAccountAdapter


class ClosedSignupAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        return False
