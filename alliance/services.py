"""Write-side operations of the alliance app."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from alliance.models import Member
from alliance.roles import Role


def create_member_accounts(*, members):
    """Give each member without an account a login (members do not sign up themselves).

    The username is the member's email when it is free, else ``m<id>``; the password is
    unusable until the member sets one through "forgot password" by email, which goes to
    that address: staff recorded it, so it is filed as the account's verified address.
    Returns the members that got an account.
    """
    from yichuan.accounts import record_verified_email

    User = get_user_model()
    group, _ = Group.objects.get_or_create(name=Role.MEMBER)
    created = []
    with transaction.atomic():
        for member in Member.objects.select_for_update().filter(
            pk__in=[m.pk for m in members], user__isnull=True
        ):
            username = member.email or f"m{member.pk}"
            if User.objects.filter(username=username).exists():
                username = f"m{member.pk}"
            user = User(username=username, email=member.email, first_name=member.name[:150])
            user.set_unusable_password()
            user.save()
            record_verified_email(user)
            user.groups.add(group)
            member.user = user
            member.save(update_fields=["user"])
            created.append(member)
    return created
