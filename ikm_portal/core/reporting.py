"""Error reports without personal data (settings.DEFAULT_EXCEPTION_REPORTER_FILTER)."""

import re

from django.views.debug import SafeExceptionReporterFilter

from .logging import scrub


class PersonalDataExceptionReporterFilter(SafeExceptionReporterFilter):
    """Error reports (the DEBUG page, the admins' error mails) never carry personal data: POST
    fields that hold it are cleansed by name, every other value has its NIKs masked."""

    personal_fields = re.compile(r"nik|phone|telepon|address|alamat|email|password|otp", re.I)

    def get_post_parameters(self, request):
        params = super().get_post_parameters(request)
        if not params:
            return params
        cleansed = params.copy()
        for key in cleansed:
            if self.personal_fields.search(key):
                cleansed[key] = self.cleansed_substitute
            else:
                cleansed.setlist(key, [scrub(v) for v in cleansed.getlist(key)])
        return cleansed
