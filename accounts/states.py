"""The contract's status table. Whether a contract is upcoming, current or ended follows from its dates; its status
only says whether it counts at all: an active contract may be cancelled (entered in error), a cancelled one stays
so (its history is kept)."""

from core.states import Transitions

from .models import ContractStatus

CONTRACT_STATES = Transitions(
    {ContractStatus.ACTIVE: {ContractStatus.CANCELLED}, ContractStatus.CANCELLED: set()},
    noun="contract",
    refusal=lambda current, new: "This contract is already cancelled.",
)
