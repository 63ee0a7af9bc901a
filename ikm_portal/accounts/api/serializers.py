from django.contrib.auth import authenticate, password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ikm_portal.core.validators import normalize_phone

from ..choices import Language
from ..models import User


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)

    def validate(self, attrs):
        request = self.context.get("request")
        # The plain HttpRequest: the sign-in throttle marks a lock-out on it.
        user = authenticate(
            request=getattr(request, "_request", request),
            email=attrs["email"],
            password=attrs["password"],
        )
        if user is None:
            raise serializers.ValidationError(
                {"non_field_errors": [_("The e-mail address or password is not correct.")]},
                code="authorization",
            )
        attrs["user"] = user
        return attrs


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()


class SignupSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(write_only=True, trim_whitespace=False)
    full_name = serializers.CharField(max_length=150)
    phone = serializers.CharField(max_length=20)
    language = serializers.ChoiceField(choices=Language.choices, required=False, default="id")

    def validate_email(self, value):
        value = value.lower()
        if User.objects.filter(email__iexact=value).exists():
            raise serializers.ValidationError(
                _("An account with this e-mail address already exists.")
            )
        return value

    def validate_phone(self, value):
        try:
            return normalize_phone(value)
        except ValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc

    def validate(self, attrs):
        probe = User(email=attrs.get("email", ""), full_name=attrs.get("full_name", ""))
        try:
            password_validation.validate_password(attrs["password"], probe)
        except ValidationError as exc:
            raise serializers.ValidationError({"password": exc.messages}) from exc
        return attrs


class UserSerializer(serializers.ModelSerializer):
    roles = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = User
        fields = ["id", "email", "full_name", "phone", "language", "roles", "date_joined"]
        read_only_fields = fields
