from allauth.account.adapter import DefaultAccountAdapter


class InviteOnlyAccountAdapter(DefaultAccountAdapter):
    """No open sign-up: people are invited by an admin, or by a TAM for their own accounts."""

    def is_open_for_signup(self, request) -> bool:
        return False
