from django import forms
from django.utils.translation import gettext_lazy as _

from .channels import get_channel
from .choices import Channel


class NotificationPreferenceForm(forms.Form):
    """The channels a user chooses in their profile. In-app is always on."""

    email = forms.BooleanField(label=_("E-mail"), required=False)
    whatsapp = forms.BooleanField(label="WhatsApp", required=False)
    sms = forms.BooleanField(label="SMS", required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        has_phone = bool(user is not None and user.phone)
        for name in (Channel.WHATSAPP, Channel.SMS):
            field = self.fields[name]
            if not get_channel(name).enabled():
                field.disabled = True
                field.help_text = _("Not available yet: the office has not set up this service.")
            elif not has_phone:
                field.disabled = True
                field.help_text = _("Add a mobile phone number to your profile first.")
        self.fields["email"].help_text = _(
            "Decisions, offers and password resets always come by e-mail and in the inbox."
        )
