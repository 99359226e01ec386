"""Pinning the facts an error message must carry (the bad value, the argument's name, the fix it
proposes), not its wording: `pytest.raises(ValueError, match=says("k", "0"))`."""
import re


def says(*facts: str) -> str:
    """A pattern for `pytest.raises(match=...)` found when the message holds every fact, in any order.
    A fact that is one word (an argument's name, a number) must stand as a whole word."""
    def pattern(fact):
        escaped = re.escape(fact)
        return rf"\b{escaped}\b" if re.fullmatch(r"\w+", fact) else escaped

    return "(?s)" + "".join(f"(?=.*{pattern(fact)})" for fact in facts)


# Every pin built with `says` relies on these: a fact missing, or present only inside another word,
# is no match, and the order of the facts does not matter.
assert re.search(says("k", "0"), "k must be a positive integer; got 0")
assert re.search(says("0", "k"), "k must be a positive integer; got 0")
assert not re.search(says("k", "0"), "k must be a positive integer; got 10")
assert not re.search(says("k", "0"), "kmeans got 0")
assert not re.search(says("(3,)"), "query must have shape (12,); got (3, 1)")
