"""Product modules named in free text ("Capture, Approval workflow, GP connector"). Pure Python."""


def split_modules(text: str) -> list[str]:
    """The module names in a comma- or newline-separated list, trimmed, without blanks or repeats."""
    seen: dict[str, str] = {}
    for part in (text or "").replace("\n", ",").split(","):
        name = " ".join(part.split())
        if name and name.casefold() not in seen:
            seen[name.casefold()] = name
    return list(seen.values())


def join_modules(names: list[str]) -> str:
    return ", ".join(split_modules(",".join(names)))


def affects(item_modules: str, account_modules: str) -> bool:
    """Whether a release item concerns an account: it names a module the account uses, or names none (the
    whole product), or the account's modules are not recorded (then every item may concern it)."""
    item = {name.casefold() for name in split_modules(item_modules)}
    used = {name.casefold() for name in split_modules(account_modules)}
    return not item or not used or bool(item & used)
