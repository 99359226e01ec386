"""Pinning the facts an error message must carry, not its wording."""


def assert_names(excinfo, *facts: str) -> None:
    """Every fact (the bad value, the argument's name, the fix proposed) appears in the raised
    exception's message; a missing one fails with the whole message shown."""
    message = str(excinfo.value)
    missing = [fact for fact in facts if fact not in message]
    assert not missing, f"the message lacks {missing}: {message!r}"
