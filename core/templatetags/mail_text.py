"""Mail in templates: a message's new text with its quoted history and signature folded away (mail-parser-reply),
and a TAM's direct address."""

from django import template
from django.utils.html import format_html, linebreaks
from django.utils.safestring import mark_safe
from mailparser_reply import EmailReplyParser

from core.outbox import tam_address as _tam_address

register = template.Library()
LANGUAGES = ["en", "de", "fr", "es", "it", "nl", "sv", "da", "pl", "cs", "ja", "ko", "zh"]


def split_reply(text: str) -> tuple[str, str]:
    """(the new text, the quoted history and signature). All of it is new text when nothing is recognised as
    quoted, or when the quoted part would be everything (a forwarded message with no note of its own)."""
    try:
        message = EmailReplyParser(languages=LANGUAGES).read(text)
    except Exception:  # a reply parser that trips on a text leaves it whole
        return text, ""
    if not message.replies:
        return text, ""
    new = message.replies[0].body
    if not new.strip():
        return text, ""
    rest = message.text.replace(new, "", 1).strip()
    return (new, rest) if rest else (text, "")


@register.filter
def folded(text: str) -> str:
    """The text as paragraphs, with the history a mail quotes under a closed "Quoted text" disclosure."""
    new, rest = split_reply(text)
    # linebreaks(autoescape=True) escapes the text itself; its paragraphs are then safe to show as they are.
    paragraphs = mark_safe(linebreaks(new, autoescape=True))
    if not rest:
        return paragraphs
    return format_html(
        '{}<details class="quoted"><summary>Quoted text</summary>{}</details>',
        paragraphs,
        mark_safe(linebreaks(rest, autoescape=True)),
    )


@register.filter
def tam_address(user) -> str:
    """The TAM's direct address at the portal ("" when mail does not come in)."""
    return _tam_address(user.pk) if user is not None and getattr(user, "pk", None) else ""
