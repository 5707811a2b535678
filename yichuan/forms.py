"""How every form field of the portal is written (settings.FORM_RENDERER).

The renderer takes the portal's templates (templates/django/forms/) before Django's, and its
bound field writes what each widget needs: the Bootstrap class for its kind, ``is-invalid``
and ``aria-invalid`` when it has errors, ``aria-describedby`` naming the ids the templates
write (``<id>_helptext``, ``<id>_error``). A required field says what is missing
("请填写标题。" rather than "这个字段是必填项。") unless its form says it otherwise, and long
text is not cut at ``maxlength``: a counter shows how much is typed and the form refuses
too much with a message, keeping the text. Templates render a field with
``{{ field.as_field_group }}`` (or a whole form with ``{{ form }}``) and the error summary
with ``{% include "django/forms/errors/summary.html" %}``; no form sets a widget class.
"""

import re

from django import forms
from django.core.validators import MaxLengthValidator
from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting
from django.utils.functional import lazy
from django.utils.translation import gettext

GENERIC_REQUIRED = forms.Field.default_error_messages["required"]
# "更正后时长（小时）" is asked for as "更正后时长".
TRAILING_NOTE = re.compile(r"\s*[（(][^（()）]*[）)]\s*$")

CHOICE_WIDGETS = (forms.CheckboxInput, forms.RadioSelect, forms.CheckboxSelectMultiple)
PICKED_WIDGETS = (forms.Select, forms.RadioSelect, forms.CheckboxSelectMultiple,
                  forms.FileInput)


def short_label(label):
    return TRAILING_NOTE.sub("", str(label)).strip() or str(label)


def _required_message(label, widget):
    name = short_label(label)
    if isinstance(widget, forms.CheckboxInput):
        return gettext("请勾选“%(label)s”。") % {"label": name}
    if isinstance(widget, PICKED_WIDGETS):
        return gettext("请选择%(label)s。") % {"label": name}
    return gettext("请填写%(label)s。") % {"label": name}


def _max_length_message(label):
    # The validator fills in limit_value and show_value; a % in the label stays a %.
    return gettext("%(label)s最多 %(limit_value)d 字，现在是 %(show_value)d 字，请删减后再提交。"
                   ).replace("%(label)s", short_label(label).replace("%", "%%"))


required_message = lazy(_required_message, str)
max_length_message = lazy(_max_length_message, str)


def control_class(widget):
    """The Bootstrap class of a widget's control, or None for a hidden one."""
    if widget.is_hidden:
        return None
    if isinstance(widget, CHOICE_WIDGETS):
        return "form-check-input"
    if isinstance(widget, forms.Select):
        return "form-select"
    if isinstance(widget, forms.MultiWidget):
        return None
    return "form-control"


class PortalBoundField(BoundField):
    def __init__(self, form, field, name):
        super().__init__(form, field, name)
        # Each form has its own copies of its fields and their messages (BaseForm.__init__).
        messages = field.error_messages
        if field.required and str(messages.get("required")) == str(GENERIC_REQUIRED):
            messages["required"] = required_message(self.label, field.widget)
        if "max_length" not in messages and any(
                isinstance(v, MaxLengthValidator) and v.message is MaxLengthValidator.message
                for v in field.validators):
            messages["max_length"] = max_length_message(self.label)

    @property
    def data(self):
        """What was sent; a line break in long text is one character, as the counter and
        the browser count it (a browser sends it as two, CR LF)."""
        data = super().data
        if isinstance(self.field.widget, forms.Textarea) and isinstance(data, str):
            data = data.replace("\r\n", "\n")
        return data

    @property
    def counter_max(self):
        """The most characters long text may have, when it shows a counter."""
        if isinstance(self.field.widget, forms.Textarea):
            return getattr(self.field, "max_length", None)
        return None

    @property
    def text_length(self):
        value = self.value()
        return len(value) if isinstance(value, str) else 0

    @property
    def text_over(self):
        return max(0, self.text_length - (self.counter_max or 0))

    @property
    def anchor_id(self):
        """The id a link to this field goes to: its control, or a list's first choice."""
        if self.id_for_label:
            return self.id_for_label
        if self.auto_id and self.use_fieldset:
            return f"{self.auto_id}_0"
        return self.auto_id

    @property
    def error_testid(self):
        """``error-<name>``, or ``error-<form>-<name>`` when the page gives each form its
        own ids (``auto_id="id_reply_%s"``)."""
        own = str(self.form.auto_id or "").removeprefix("id_").replace("%s", "").strip("_-")
        return f"error-{own}-{self.html_name}" if own else f"error-{self.html_name}"

    @property
    def files_to_choose_again(self):
        """The names of the files this field was sent when the form comes back with errors
        elsewhere: a browser never keeps a chosen file, so the person chooses them again."""
        if not (isinstance(self.field.widget, forms.FileInput) and self.form.is_bound
                and self.form.errors and not self.errors):
            return []
        files = self.form.files
        uploads = files.getlist(self.html_name) if hasattr(files, "getlist") else (
            [files[self.html_name]] if self.html_name in files else [])
        return [upload.name for upload in uploads if upload]

    @property
    def aria_describedby(self):
        described = super().aria_describedby
        if described is None:
            return None
        if self.auto_id and self.files_to_choose_again:
            described = f"{described} {self.auto_id}_again".strip()
        return described

    def build_widget_attrs(self, attrs, widget=None):
        widget = widget or self.field.widget
        attrs = super().build_widget_attrs(attrs, widget)
        css = control_class(widget)
        if css:
            classes = [css, widget.attrs.get("class"), attrs.get("class")]
            if self.errors:
                classes.append("is-invalid")
            attrs["class"] = " ".join(c for c in classes if c)
        if self.counter_max and widget is self.field.widget:
            # A browser cuts pasted text at maxlength without a word; the counter says how
            # much there is and the form refuses too much.
            attrs["maxlength"] = False
            attrs["data-maxlength"] = self.counter_max
        if isinstance(widget, forms.NumberInput) and "inputmode" not in widget.attrs:
            whole = isinstance(self.field, forms.IntegerField)
            attrs.setdefault("inputmode", "numeric" if whole else "decimal")
        return attrs


class PortalFormRenderer(TemplatesSetting):
    """Django's templates as settings.TEMPLATES finds them: the portal's come first."""

    form_template_name = "django/forms/div.html"
    field_template_name = "django/forms/field.html"
    bound_field_class = PortalBoundField
