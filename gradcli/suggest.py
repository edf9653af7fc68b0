"""Did-you-mean: suggest a name only when it is likely the one meant.

A suggestion that is wrong misleads more than none at all (``min`` is not a
typo of ``sin``), so a candidate must be one small typing slip away: the same
word in other letter case, or one letter added, dropped, swapped with its
neighbour or replaced, never the first letter replaced; longer words (7
letters or more) may have two such slips::

    >>> close_names("tanhh", ["tanh", "exp", "sin"])
    ['tanh']
    >>> close_names("mni", ["min", "sin"]), close_names("pin", ["sin", "min"])
    (['min'], [])
    >>> close_names("Sigmiod", ["sigmoid", "sin"])
    ['sigmoid']
"""

from __future__ import annotations


def close_names(word: str, candidates, limit: int = 2) -> list:
    """The candidates ``word`` is likely a slip of, closest first (at most ``limit``)."""
    folded = word.lower()
    scored = []
    for candidate in candidates:
        other = candidate.lower()
        if abs(len(other) - len(folded)) > 2 or candidate == word:
            continue
        distance = slips(folded, other)
        allowed = 2 if min(len(folded), len(other)) >= 7 else 1
        if distance == 0 or distance <= allowed and (folded[:1] == other[:1] or len(folded) > 1
                                                    and folded[:2] == other[1::-1]):
            scored.append((distance, candidate))
    scored.sort(key=lambda pair: pair[0])
    if scored and scored[0][0] == 0:  # the same word in other letter case: nothing else is as likely
        scored = [pair for pair in scored if pair[0] == 0]
    return [candidate for _, candidate in scored[:limit]]


def slips(a: str, b: str) -> int:
    """Typing slips from ``a`` to ``b``: insertions, deletions, replacements and swaps of neighbours."""
    previous2, previous = None, list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[len(b)]
