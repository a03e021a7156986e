from allauth.account.adapter import DefaultAccountAdapter
from django import forms
from django.conf import settings
from django.urls import reverse

from core.outbox import outbox_add

from . import emails, sign_in_limits

# What allauth's mails carry that opens the account: sent to the recipient, never kept in the stored copy.
SECRET_CONTEXT = ("password_reset_url", "activate_url", "key", "code")
# Mails that sign a person in: they go to a verified address only (a reset, to its own rule).
SIGN_IN_MAILS = ("account/email/login_code",)


class PortalAccountAdapter(DefaultAccountAdapter):
    """allauth as the portal uses it.

    - No open sign-up: people are invited by an admin, or by a TAM for their own accounts.
    - Mail goes through the outbox, with its links and codes withheld from the stored copy.
    - An address counts only once verified (accounts/emails.py): password sign-in, sign-in codes and reset
      links ask there first.
    - Failed sign-ins are counted so that the owner cannot be locked out (accounts/sign_in_limits.py).
    - Links in mail start with ``ESS_BASE_URL``, never with the Host a request claimed.
    """

    def is_open_for_signup(self, request) -> bool:
        return False

    # --- Mail ---------------------------------------------------------------------------------------------------

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        if template_prefix in SIGN_IN_MAILS and not emails.address_counts(email):
            return  # an unverified address gets nothing that signs in (and says nothing of the account)
        ctx = {"email": email, **context}
        message = self.render_mail(template_prefix, email, ctx)
        secrets = [str(context[name]) for name in SECRET_CONTEXT if context.get(name)]
        outbox_add(to=email, subject=message.subject, body=message.body, secrets=secrets)

    def send_password_reset_mail(self, user, email: str, context: dict) -> None:
        if emails.reset_may_go_to(user, email):
            super().send_password_reset_mail(user, email, context)

    def send_confirmation_mail(self, request, emailconfirmation, signup: bool) -> None:
        if emailconfirmation.email_address.can_set_verified():  # no link to an address another person proved
            super().send_confirmation_mail(request, emailconfirmation, signup)

    def get_reset_password_from_key_url(self, key: str) -> str:
        uid, _, token = key.partition("-")
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": uid, "key": token})
        return settings.ESS_BASE_URL + path

    def get_email_confirmation_url(self, request, emailconfirmation) -> str:
        return settings.ESS_BASE_URL + reverse("account_confirm_email", args=[emailconfirmation.key])

    # --- Sign-in ------------------------------------------------------------------------------------------------

    def pre_authenticate(self, request, **credentials) -> None:
        email = credentials.get("email", "")
        try:
            self._login_failed_rl_usage = sign_in_limits.count_attempt(request, email)
        except sign_in_limits.SignInHeld as held:
            raise forms.ValidationError(held.message, code="too_many_login_attempts") from None
        if email and not emails.may_sign_in_with(email):
            raise self.validation_error("email_password_mismatch")

    def _delete_login_attempts_cached_email(self, request, **credentials) -> None:
        sign_in_limits.forget_attempts(request, credentials.get("email", ""))
