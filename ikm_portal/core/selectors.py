from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import ActivityLog


def activity_for(*, target: models.Model):
    return ActivityLog.objects.filter(
        content_type=ContentType.objects.get_for_model(target, for_concrete_model=False),
        object_id=str(target.pk),
    ).select_related("actor")
