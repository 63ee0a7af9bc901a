from django.contrib.auth import authenticate, password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ikm_portal.core.validators import normalize_phone

from .. import twofactor
from ..choices import Language
from ..models import User


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    otp = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=20,
        write_only=True,
        help_text=_(
            "The code from the authenticator app (or a recovery code): required for accounts "
            "with two-factor sign-in."
        ),
    )

    def validate(self, attrs):
        request = self.context.get("request")
        # The plain HttpRequest: the sign-in throttle marks a lock-out on it.
        plain = getattr(request, "_request", request)
        user = authenticate(request=plain, email=attrs["email"], password=attrs["password"])
        if user is None:
            raise serializers.ValidationError(
                {"non_field_errors": [_("The e-mail address or password is not correct.")]},
                code="authorization",
            )
        if twofactor.two_factor_enabled(user):
            code = attrs.get("otp", "")
            if not code:
                raise serializers.ValidationError(
                    {"otp": [_("Enter the code from your authenticator app.")]}, code="required"
                )
            if twofactor.two_factor_verify(user=user, code=code) is None:
                twofactor.two_factor_failed(plain, user)
                raise serializers.ValidationError(
                    {"otp": [_("The code is not correct.")]}, code="invalid"
                )
        elif twofactor.two_factor_required(user):
            raise serializers.ValidationError(
                {
                    "otp": [
                        _("This account needs two-factor sign-in: set it up on the website first.")
                    ]
                },
                code="two_factor_required",
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
