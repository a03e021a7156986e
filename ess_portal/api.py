"""Shared REST plumbing: the exception handler that turns domain refusals into 400s."""

from rest_framework import serializers
from rest_framework.views import exception_handler as drf_exception_handler

from accounts.errors import DomainError


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        exc = serializers.ValidationError({exc.field or "non_field_errors": [exc.message]})
    return drf_exception_handler(exc, context)
