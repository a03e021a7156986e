"""The API tokens section of a person's profile page."""

from django import template

from ..models import ApiToken

register = template.Library()


@register.inclusion_tag("integrations/partials/profile_tokens.html", takes_context=True)
def api_tokens_section(context):
    user = context["request"].user
    return {"tokens": ApiToken.objects.visible_to(user).filter(user=user).order_by("-created")[:5]}
