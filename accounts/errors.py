"""The one exception type for domain refusals.

A service raises ``DomainError`` with a message meant for the user and, where one input is to
blame, the field name. Views turn it into a form error; the API into a 400 with field errors.
"""


class DomainError(Exception):
    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
