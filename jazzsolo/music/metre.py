"""Time signatures as written ("3/4", "6/8") → numerator, denominator and the length of a bar."""
from __future__ import annotations

from jazzsolo.errors import ConfigError

MAX_TS_NUMERATOR = 32                  # beats in a bar; more is a typo, not a metre
TS_DENOMINATORS = (1, 2, 4, 8, 16, 32)


def parse_time_signature(text: str) -> tuple[int, int]:
    """Read a time signature such as ``"3/4"`` or ``"6/8"`` into (numerator, denominator).

    >>> parse_time_signature("6/8"), parse_time_signature(" 12 / 8 ")
    ((6, 8), (12, 8))
    """
    numerator, slash, denominator = str(text).partition("/")
    try:
        pair = int(numerator), int(denominator)
    except ValueError:
        pair = None
    if not slash or pair is None or not 1 <= pair[0] <= MAX_TS_NUMERATOR \
            or pair[1] not in TS_DENOMINATORS:
        raise ConfigError(f"unreadable time signature {text!r}: expected N/D with N from 1 to "
                          f"{MAX_TS_NUMERATOR} and D one of {', '.join(map(str, TS_DENOMINATORS))} "
                          f"(e.g. 4/4, 3/4, 6/8)")
    return pair


def time_signature_ql(text: str) -> float:
    """The length of a full bar of a time signature, in quarter lengths.

    >>> time_signature_ql("3/4"), time_signature_ql("6/8"), time_signature_ql("7/16")
    (3.0, 3.0, 1.75)
    """
    numerator, denominator = parse_time_signature(text)
    return numerator * 4.0 / denominator


def time_signature_for(length_ql: float, denominator: int = 4) -> str:
    """The plainest time signature whose bar lasts `length_ql`: `denominator` or a finer one.

    >>> time_signature_for(4.0), time_signature_for(1.5), time_signature_for(3.0, 8)
    ('4/4', '3/8', '6/8')
    """
    for finer in TS_DENOMINATORS:
        numerator = length_ql * finer / 4.0
        if finer >= denominator and abs(numerator - round(numerator)) < 1e-6 \
                and 1 <= round(numerator) <= MAX_TS_NUMERATOR:
            return f"{round(numerator)}/{finer}"
    raise ConfigError(f"no time signature has bars of {length_ql:g} quarter lengths "
                      f"(1/32 to {MAX_TS_NUMERATOR} whole notes, on the 1/32-note grid)")


def metre_changes(measure_lengths_ql, time_signatures) -> list[tuple[float, str]]:
    """(offset in quarter lengths, time signature) at the start and at every change of metre,
    as a MIDI file needs them: a bar shorter than its metre (a pickup) gets the time signature
    of its own length, so every later bar line falls in place.

    >>> metre_changes([1.0, 4.0, 4.0, 3.0], ["4/4", "4/4", "4/4", "3/4"])
    [(0.0, '1/4'), (1.0, '4/4'), (9.0, '3/4')]
    """
    changes: list[tuple[float, str]] = []
    start = 0.0
    for length, written in zip(measure_lengths_ql, time_signatures):
        played = written if abs(time_signature_ql(written) - length) < 1e-6 else \
            time_signature_for(length, parse_time_signature(written)[1])
        if not changes or changes[-1][1] != played:
            changes.append((start, played))
        start += length
    return changes


__all__ = ["MAX_TS_NUMERATOR", "TS_DENOMINATORS", "metre_changes", "parse_time_signature",
           "time_signature_for", "time_signature_ql"]
