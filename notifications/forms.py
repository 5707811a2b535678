from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from notifications.kinds import preference_choices


class PreferenceForm(forms.Form):
    language = forms.ChoiceField(label=_("通知语言"), choices=settings.LANGUAGES)
    email_kinds = forms.MultipleChoiceField(
        label=_("通过邮件接收"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=preference_choices, help_text=_("站内通知始终保留，不受此设置影响。"),
    )

    @classmethod
    def initial_for(cls, preference):
        return {
            "language": preference.language,
            "email_kinds": [k for k, _label in preference_choices()
                            if k not in preference.email_muted],
        }
