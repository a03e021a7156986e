"""The webhook message's status table. A pending message is delivered, or given up after a day of failed tries; an
admin may send any message again (it is pending once more, with the same webhook-id)."""

from core.states import Transitions

from .models import MessageStatus

MESSAGE_STATES = Transitions(
    {
        MessageStatus.PENDING: {MessageStatus.PENDING, MessageStatus.DELIVERED, MessageStatus.FAILED},
        MessageStatus.DELIVERED: {MessageStatus.PENDING},
        MessageStatus.FAILED: {MessageStatus.PENDING},
    },
    noun="message",
)
