"""A person's own security pages, under their profile: their e-mail address and their signed-in sessions.

- E-mail: allauth's page (its re-send and cancel buttons as they are) with the adding done by
  ``emails.email_add``, and the same service under ``/api/v1/me/emails/``. Both parse input only; the service
  decides, and says the same thing on both.
- Sessions: allauth.usersessions' page, its checks and sign-outs done by ``sessions`` in a fixed number of queries.
"""

from allauth.account.models import EmailAddress
from allauth.account.views import EmailView
from allauth.core import ratelimit
from allauth.usersessions.views import ListUserSessionsView
from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view
from rest_framework.exceptions import Throttled
from rest_framework.response import Response

from core.actions import add_domain_error
from core.errors import DomainError
from core.permissions import require

from .emails import email_add
from .sessions import may_end_sessions, sessions_end_others, sessions_of


class EmailAddForm(forms.Form):
    """Types only: the service gives every message (a missing password, a malformed address) itself."""

    email = forms.CharField(label="New e-mail address", required=False, widget=forms.EmailInput())
    password = forms.CharField(
        label="Your password",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="Asked every time the address changes.",
    )

    def __init__(self, *args, user=None, **kwargs):  # allauth's page passes the user; nothing here needs it
        super().__init__(*args, **kwargs)


class EmailPage(EmailView):
    def get_form_class(self):
        return EmailAddForm

    def form_valid(self, form):
        try:
            email_add(actor=self.request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
            return self.form_invalid(form)
        return redirect("account_email")  # allauth's message says where the link went


email_page = EmailPage.as_view()


class EmailAddressSerializer(serializers.ModelSerializer):
    class Meta:
        model = EmailAddress
        fields = ["email", "verified", "primary"]


class EmailAddSerializer(serializers.Serializer):
    email = serializers.CharField(required=False, allow_blank=True, default="")
    password = serializers.CharField(
        required=False, allow_blank=True, default="", write_only=True, trim_whitespace=False
    )


@extend_schema(
    methods=["GET"], responses=EmailAddressSerializer(many=True), summary="Your e-mail addresses and their state"
)
@extend_schema(
    methods=["POST"],
    request=EmailAddSerializer,
    responses={201: EmailAddressSerializer},
    summary="Change your address: the new one counts once you follow the link sent to it (password required)",
)
@api_view(["GET", "POST"])
def my_emails(request):
    if request.method == "POST":
        if not ratelimit.consume(request, action="manage_email", user=request.user):
            raise Throttled()  # the page's limit (allauth's manage_email), answered as the API answers it
        data = EmailAddSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        address = email_add(actor=request.user, **data.validated_data)
        return Response(EmailAddressSerializer(address).data, status=status.HTTP_201_CREATED)
    addresses = EmailAddress.objects.filter(user=request.user).order_by("-primary", "email")
    return Response(EmailAddressSerializer(addresses, many=True).data)


class SessionsPage(ListUserSessionsView):
    def get_context_data(self, **kwargs):
        context = super(ListUserSessionsView, self).get_context_data(**kwargs)  # not allauth's one-by-one check
        sessions = sessions_of(self.request.user)
        return {**context, "sessions": sessions, "session_count": len(sessions), "show_last_seen_at": False}

    def form_valid(self, form):
        require(may_end_sessions(self.request.user), "Sign in to manage your sessions.")
        ended = sessions_end_others(actor=self.request.user, current_key=self.request.session.session_key)
        messages.success(self.request, f"Signed out everywhere else ({ended} session{'s' if ended != 1 else ''}).")
        return redirect("usersessions_list")


sessions_page = SessionsPage.as_view()
