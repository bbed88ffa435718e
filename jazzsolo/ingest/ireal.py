"""iReal Pro links (``irealb://``, ``irealbook://``, HTML exports) → charts, bars in playing order.

Links are URL-encoded.  ``irealbook://`` songs are ``Title=Composer=Style=Key=n=Chart`` joined by
``===``.  ``irealb://`` songs are ``Title=Composer==Style=Key=Transpose=Music=Groove=Tempo=Repeats``
(Music: ``1r34LbKcu7`` and the chart shuffled, see `unscramble`); empty fields can make ``===``
inside a song, so each is found from its music field.  Bars of only spaces are layout: dropped.

Placement: a bar's chords (with ``n`` N.C. and ``p`` slashes) share it evenly when their count
divides its beats (two in 4/4: beats 1 and 3); else each sits on its iReal cell (a chord, slash or
space takes one, ``,`` none) if the cells fit the beats; else they share it evenly.  A slash
places nothing (the chord goes on); ``W/E`` is the chord before over E, written ``C7/E``.

Form: each chorus as iReal Pro's player plays it.  `Chart.bars` is every chorus but the last,
`Chart.last_chorus_bars` the last one when it differs, `Chart.played(n)` all n choruses:

==========================  ==================================================================
written                     played
==========================  ==================================================================
``{ }``                     twice, or N times with a count ``<Nx>`` inside it (``<3x>``; a
                            leading ``*NN`` in a comment only raises it on the page: ``<*723x>``)
``N1`` ``N2`` ``N3``        pass k takes ending k; ``}`` after an ending goes back to the ``{``.
                            A pass without an ending of its own takes, before the last pass, the
                            latest one closed by ``}``, on the last pass the first one not closed
``x`` ``r``                 the one / two bars written before, again
``<D.C.>`` ``<D.S.>``       once per chorus, back to the top / to the segno ``S``; repeats then
                            play once, with their last ending, and the chorus goes on to its end
                            (a ``<Fine>`` met after the jump ends it)
... ``al Fine``             after the jump, the chorus ends after the bar with ``<Fine>``
... ``al Coda``             after the jump, the chorus leaves at the first ``Q`` for the coda (the
                            last ``Q``): before the ``Q``'s bar if it comes before the bar's first
                            chord, else after it; with one ``Q``, after the D.C./D.S. bar
... ``al 1st/2nd/3rd End.`` after the jump, the repeat plays once, taking that ending, and the
                            chorus ends with it: at its ``}``, else at its section's end (``]``,
                            ``Z``, or a next bar opening ``[``, ``{``, ``*A`` or an ending)
``Q`` without ``al Coda``   an outro: every chorus but the last stops before the coda (the last
                            ``Q``, written before its bar's chord); the last chorus leaves at the
                            first ``Q`` (on its repeat's last pass) for it, or plays into it
``U`` (END)                 every chorus but the last plays the whole form, the bars after END
                            included; the last chorus ends after END (the last time it passes it)
==========================  ==================================================================

A link cut short (or mangled in an ``irealb://`` chart, which iReal Pro writes itself) is refused
as "cut off or damaged" in one line, never read as a shorter tune.

Not pyRealParser (PyPI 0.1.0, 2018, the one Python reader): it turns ``C7alt`` into ``C7at``,
merges third endings into one bar, ignores D.C./al Fine, drops songs with an empty composer,
gives no chord offsets, keeps one time signature and prints instead of raising.
"""
from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote

from jazzsolo.music.chart import NO_CHORD, Chart, ChartBar
from jazzsolo.errors import ChartError

MAX_FILE_BYTES = 2 * 1024 * 1024   # a larger file is refused before it is read
MAX_LINK_CHARS = 1024 * 1024       # a longer link is refused before it is parsed
MAX_BARS = 5000                    # bars written or played per tune (real tunes: under 500)
MUSIC_PREFIX = "1r34LbKcu7"        # starts every irealb:// music field
_SCHEMES = ("irealb://", "irealbook://")
_ARTEFACTS = (("XyQ", "   "), ("LZ", " |"), ("Kcl", "| x"))  # irealb:// shorthand, as decoded
_QUALITY_CHARS = frozenset("0123456789#b^-+ho")
_QUALITY_WORDS = ("sus", "alt", "add")
_IGNORED = frozenset("slfY,\n\r\t")  # small/large chords, fermata, spacer, separators
_BACK_MARKS = ("repeat_end", "section_end", "jump_to", "jump_then", "jump_ending", "fine", "stop",
               "count")                                     # belong to the bar before
_RAISED = re.compile(r"^\*\d\d")                # <*72...>: a comment raised on the page
_COUNT = re.compile(r"(?<![\w.])(\d{1,2}) ?x(?!\w)")   # <3x>: a repeat played 3 times
_AL_ENDING = re.compile(r"al (\d)(?:st|nd|rd|th)?\.? ?end")  # D.C. al 2nd End. / al 2nd ending
_TRAILING_FIELDS = 3                             # groove, tempo, repeats after an irealb:// chart


@dataclass(frozen=True)
class _Song:
    """One song's fields as a link writes them, its chart already unscrambled."""

    title: str
    composer: str
    style: str
    key: str
    music: str
    extra: dict = field(default_factory=dict, compare=False)


def _swap50(block: str) -> str:
    """iReal's shuffle of one 50-character block: swap i and 49-i for i in 0-4 and 10-23."""
    chars = list(block)
    for i in (*range(5), *range(10, 24)):
        chars[i], chars[49 - i] = chars[49 - i], chars[i]
    return "".join(chars)


def unscramble(music: str) -> str:
    """Undo the shuffle of an ``irealb://`` chart (the text after ``1r34LbKcu7``).

    Each whole 50-character block but one followed by under 2 characters is shuffled by `_swap50`
    (as pianosnake/ireal-reader and pyRealParser decode it).

    >>> unscramble("0123456789" * 5 + "ab")[:12]
    '987655678998'
    """
    out, i, n = [], 0, len(music)
    while n - i > 50:
        block, i = music[i:i + 50], i + 50
        out.append(block if n - i < 2 else _swap50(block))
    out.append(music[i:])
    return "".join(out)


def scramble(music: str) -> str:
    """Shuffle a chart as ``irealb://`` links store it; `unscramble` undoes it.

    >>> chart = "T44C^7 |A-7 |D-7 |G7 " * 5
    >>> scramble(chart) != chart and unscramble(scramble(chart)) == chart
    True
    """
    return unscramble(music)  # the same permutation: each block swap is an involution


def _songs(link: str) -> list[_Song]:
    """Split one link into its songs' fields."""
    if len(link) > MAX_LINK_CHARS:
        raise ChartError(f"iReal Pro link of {len(link)} chars is over the {MAX_LINK_CHARS} limit")
    text = link.strip()
    scheme = next((s for s in _SCHEMES if text[:len(s)].lower() == s), None)
    if scheme is None:
        raise ChartError(f"not an iReal Pro link (irealb:// or irealbook://): {text[:40]!r}")
    fields = unquote(text[len(scheme):]).split("=")
    anchors = [k for k, f in enumerate(fields) if f.startswith(MUSIC_PREFIX)]
    songs = _irealb_songs(fields, anchors) if anchors else _irealbook_songs(fields)
    if not songs:
        raise ChartError("the iReal Pro link holds no songs")
    return songs


def _irealb_songs(fields: list[str], anchors: list[int]) -> list[_Song]:
    """Songs of an ``irealb://`` link, each read at fixed offsets from its music field."""
    songs, previous = [], -1
    for k in anchors:
        if k - 6 <= previous:
            raise ChartError(f"malformed irealb:// song: too few fields before music field {k}")
        title, composer, _, style, key, _ = fields[k - 6:k]
        groove, tempo, repeats = (fields[k + 1:k + 4] + ["", "", ""])[:3]
        music = unscramble(fields[k][len(MUSIC_PREFIX):])
        for short, written in _ARTEFACTS:
            music = music.replace(short, written)
        songs.append(_Song(title.strip(), composer.strip(), style, key, music, {
            "format": "irealb", "groove": groove, "tempo": tempo, "repeats": repeats,
            "complete": len(fields) > k + _TRAILING_FIELDS}))
        previous = k
    _check_playlist_end(fields[anchors[-1] + 1 + _TRAILING_FIELDS:], songs[-1].title)
    return songs


def _check_playlist_end(rest: list[str], last_title: str) -> None:
    """After the last song's fields comes nothing, or ``===`` and the playlist's name: anything
    more is a song cut off before its chart (it would be lost without a word)."""
    if len(rest) > 3 or (rest and rest[:2] != ["", ""][:len(rest)]):
        raise ChartError(f"the iReal Pro link looks cut off or damaged: it ends inside the tune "
                         f"after {last_title[:40]!r}; copy the whole link again")


def _irealbook_songs(fields: list[str]) -> list[_Song]:
    """Songs of an ``irealbook://`` link: six fields each, songs joined by ``===``."""
    songs, i = [], 0
    while i < len(fields):
        if not fields[i]:  # the empty fields a "===" separator leaves
            i += 1
            continue
        if i + 6 > len(fields):
            raise ChartError(f"malformed irealbook:// song {fields[i][:40]!r}: expected "
                             "Title=Composer=Style=Key=n=Chart (the link looks cut off or damaged)")
        title, composer, style, key, _, music = fields[i:i + 6]
        extra = {"format": "irealbook"}
        songs.append(_Song(title.strip(), composer.strip(), style, key, music, extra))
        i += 6
    return songs


@dataclass
class _Bar:
    """A bar as written: its chords once closed, and the marks that steer the playing order."""

    slots: list = field(default_factory=list)  # (cell, symbol, or None for a slash)
    cells: int = 0
    copies: int = 0                            # 1 for x, 2 for r
    repeat_start: bool = False
    repeat_end: bool = False
    section_start: bool = False                # opened by "[" or "{", or marked "*A"
    section_end: bool = False                  # closed by "]", "}" or "Z"
    count: int = 0                             # <3x>: its repeat plays 3 times
    ending: int = 0                            # N1 → 1; 0 for none
    segno: bool = False
    coda: str = ""                             # "before"/"after" the bar's first chord
    jump_to: str = ""                          # "top" (D.C.) or "segno" (D.S.)
    jump_then: str = ""                        # "coda", "fine", "ending" or "" (play to the end)
    jump_ending: int = 0                       # al 2nd ending → 2
    fine: bool = False
    stop: bool = False                         # U (END): the last chorus stops after this bar
    bar: ChartBar | None = None


def _move_back_marks(source: _Bar, target: _Bar) -> None:
    """Hand the marks that close a bar (repeat end, D.C., Fine, END) from one bar to another;
    a count in a bar that opens a repeat stays with it (it counts that repeat)."""
    for name in _BACK_MARKS:
        value = getattr(source, name)
        if name == "count" and source.repeat_start:
            continue
        if value:
            setattr(target, name, value)
        setattr(source, name, getattr(_Bar, name))  # the field's default


def _place(slots: list, beats: int, length_ql: float) -> tuple[tuple[float, str], ...]:
    """Offsets of a bar's chords: equal shares if their count divides the beats, else cells."""
    n = len(slots)
    if n and beats % n and slots[-1][0] < beats:
        offsets = [cell * length_ql / beats for cell, _ in slots]
    else:
        offsets = [k * length_ql / n for k in range(n)]
    placed = zip(offsets, (symbol for _, symbol in slots), strict=True)
    return tuple((offset, symbol) for offset, symbol in placed if symbol)


class _Reader:
    """Scan a chart once, left to right, into bars as written; every step moves forward."""

    def __init__(self, music: str) -> None:
        self.s, self.i, self.bars, self.cur = music, 0, [], _Bar()
        self.meter: tuple[str, int, float] = ("4/4", 4, 4.0)  # text, beats, length_ql
        self.last_chord, self.unread = "", []

    def read(self) -> list[_Bar]:
        """All bars of the chart, in written order."""
        s = self.s
        while self.i < len(s):
            c, cur = s[self.i], self.cur
            self.i += 1
            if c == " ":
                cur.cells += 1
            elif c in "|[]Z{}":
                cur.repeat_end = cur.repeat_end or c == "}"
                cur.section_end = cur.section_end or c in "]}Z"
                self._close()
                self.cur.repeat_start = self.cur.repeat_start or c == "{"
                self.cur.section_start = self.cur.section_start or c in "[{"
            elif c in "ABCDEFGW":
                self._chord(c)
            elif c in "np":
                self._slot(NO_CHORD if c == "n" else None)
            elif c in "xr":
                cur.copies = 1 if c == "x" else 2
            elif c == "<":
                self._comment()
            elif c == "(":                      # alternate chords: not played
                self.i = self._after(")")
            elif c in "TN*":
                self._mark(c)
            elif c in "SU":                     # segno; end of the chart
                setattr(cur, "segno" if c == "S" else "stop", True)
            elif c == "Q":
                cur.coda = cur.coda or ("after" if cur.slots or cur.copies else "before")
            elif c not in _IGNORED:
                self.unread.append(self.i - 1)
        self._close()
        if self.unread:
            raise ChartError(f"unreadable text in the chart: {', '.join(self._unread_runs())}")
        return self.bars

    def _unread_runs(self, limit: int = 8) -> list[str]:
        """The characters no rule reads, as runs quoted with the chord before them (a garbled
        chord must never be dropped or cut short without a word)."""
        runs: list[list[int]] = []
        for i in self.unread:
            if runs and runs[-1][-1] == i - 1:
                runs[-1].append(i)
            else:
                runs.append([i])
        return [repr(self.s[r[0]:r[-1] + 1][:20]) for r in runs[:limit]] + \
            ([f"and {len(runs) - limit} more"] if len(runs) > limit else [])

    def _after(self, closer: str) -> int:
        """The index just past the next `closer`, or the end of the chart when there is none."""
        j = self.s.find(closer, self.i)
        return len(self.s) if j < 0 else j + 1

    def _chord(self, root: str) -> None:
        """Read a chord whose root (or ``W``, the invisible root) was just passed."""
        s, start, i = self.s, self.i - 1, self.i
        while i < len(s):                       # the quality: -7b5, 7sus, ^9#11, 7alt, add9, ...
            if s.startswith(_QUALITY_WORDS, i):
                i += 3
            elif s[i] in _QUALITY_CHARS:
                i += 1
            else:
                break
        bass_at = i
        if s[i:i + 1] == "/" and s[i + 1:i + 2] in tuple("ABCDEFG"):
            i += 3 if s[i + 2:i + 3] in ("#", "b") else 2
        self.i, bass = i, s[bass_at:i]
        if root != "W":
            self.last_chord = s[start:i]
            self._slot(self.last_chord)
        elif not self.last_chord:
            raise ChartError("an invisible-root chord (W) comes before any chord")
        else:
            self._slot(self.last_chord.split("/")[0] + bass if bass else None)

    def _slot(self, symbol: str | None) -> None:
        """Put a chord (or a slash, for None) in the next cell of the bar being read."""
        self.cur.slots.append((self.cur.cells, symbol))
        self.cur.cells += 1

    def _comment(self) -> None:
        """Read D.C./D.S. (al Coda, al Fine, al 1st/2nd/3rd ending), Fine and a repeat count
        ``<3x>`` from a ``<comment>``; ignore any other text."""
        end, cur = self._after(">"), self.cur
        text = _RAISED.sub("", self.s[self.i:end].rstrip(">").lower())
        self.i = end
        if "d.c." in text or "d.s." in text:
            cur.jump_to = "segno" if "d.s." in text else "top"
            ending = _AL_ENDING.search(text)
            cur.jump_then = "ending" if ending else "coda" if "coda" in text \
                else "fine" if "fine" in text else ""
            cur.jump_ending = int(ending.group(1)) if ending else 0
        elif "fine" in text:
            cur.fine = True
        elif (count := _COUNT.search(text)) and int(count.group(1)) > 0:
            cur.count = int(count.group(1))

    def _mark(self, c: str) -> None:
        """Read a time signature ``T44`` (``T12`` is 12/8), an ending ``N1`` or a section ``*A``."""
        s, i = self.s, self.i
        if c == "*":
            self.i += 1
            self.cur.section_start = True
        elif c == "N" and s[i:i + 1] in tuple("0123456789"):
            self.cur.ending, self.i = int(s[i]), i + 1
        elif c == "T":
            text, self.i = s[i:i + 2], i + 2
            num, den = (12, 8) if text == "12" else (0, 0)
            if len(text) == 2 and text[0] in "123456789" and text[1] in "248" and not num:
                num, den = int(text[0]), int(text[1])
            if not num:
                raise ChartError(f"unknown time signature {'T' + text!r}")
            self.meter = (f"{num}/{den}", num, num * 4 / den)

    def _close(self) -> None:
        """End the bar being read: keep it if it holds music, else pass its marks on."""
        cur = self.cur
        if not (cur.slots or cur.copies):
            if self.bars:
                _move_back_marks(cur, self.bars[-1])
            cur.cells = 0
            return
        if len(self.bars) >= MAX_BARS:
            raise ChartError(f"the chart has more than {MAX_BARS} bars")
        text, beats, length_ql = self.meter
        if not cur.copies:
            cur.bar = ChartBar(text, length_ql, _place(cur.slots, beats, length_ql))
            self.bars.append(cur)
        else:
            sources = [b.bar for b in self.bars[-cur.copies:]] or [ChartBar(text, length_ql)]
            cur.bar, copies = sources[0], [_Bar(bar=b) for b in sources[1:]]
            if copies:
                _move_back_marks(cur, copies[-1])
            self.bars += [cur, *copies]
        self.cur = _Bar()


@dataclass
class _Form:
    """Where each jump of a written chart goes, worked out once before playing it."""

    starts: list[int]                 # the repeat start governing each bar (0 before any "{")
    inside: list[bool]                # the bar lies between a "{" and its "}"
    skip_to: list[int]                # an ending closed by "}": the bar after it; else -1
    endings: dict[int, dict[int, int]]  # repeat start → {ending number: its first bar}
    ending_last: dict[int, int]       # an ending's first bar → its last bar
    passes: dict[int, int]            # repeat start → times its section plays (2 if absent)
    segno: int = 0
    coda: int = -1                    # the coda's first bar, -1 for none
    to_coda: int = -1                 # the bar the player leaves for the coda, -1 for none
    before: bool = False              # leave before that bar rather than after it
    outro: bool = False               # the coda ends the last chorus only (no "al Coda")


def _form(bars: list[_Bar]) -> _Form:
    """Find each bar's repeat, each ending's way out and end, the repeat counts, the segno and
    the coda jump."""
    form = _Form([], [], [-1] * len(bars), {}, {}, {})
    start, ending, inside = 0, -1, False
    for i, bar in enumerate(bars):
        if bar.repeat_start:
            start, ending, inside = i, -1, True
        if bar.ending:
            ending = i
            form.endings.setdefault(start, {}).setdefault(bar.ending, i)
        if bar.count and (inside or bar.repeat_end):
            form.passes[start] = bar.count
        form.starts.append(start)
        form.inside.append(inside or bar.repeat_end)
        if bar.repeat_end:
            if ending >= 0:
                form.skip_to[ending] = i + 1
            ending, inside = -1, False
    for start, numbers in form.endings.items():
        for first in numbers.values():
            form.ending_last[first] = form.skip_to[first] - 1 if form.skip_to[first] >= 0 \
                else _section_end(bars, first)
        closed = [k for k, first in numbers.items() if form.skip_to[first] >= 0]
        form.passes.setdefault(start, max(closed) + 1 if closed else 2)
    form.segno = next((i for i, b in enumerate(bars) if b.segno), 0)
    _find_coda(bars, form)
    return form


def _section_end(bars: list[_Bar], first: int) -> int:
    """The last bar of an ending not closed by "}": the one before a double bar line, a new
    section or the next ending."""
    j = first
    while j + 1 < len(bars) and not bars[j].section_end and not bars[j + 1].section_start \
            and not bars[j + 1].ending:
        j += 1
    return j


def _find_coda(bars: list[_Bar], form: _Form) -> None:
    """The coda (the last ``Q``) and the bar that leaves for it (the first ``Q``), in the form
    (D.C./D.S. al Coda) or as an outro (no "al Coda": the last chorus only)."""
    jump = next((i for i, b in enumerate(bars) if b.jump_to), -1)
    codas = [i for i, b in enumerate(bars) if b.coda]
    if jump >= 0 and bars[jump].jump_then == "coda":
        if codas and codas[-1] > jump:
            form.coda = codas[-1]
            form.to_coda = codas[0] if codas[0] < form.coda else jump
            form.before = form.to_coda != jump and bars[form.to_coda].coda == "before"
        return
    if codas and codas[-1] > 0 and bars[codas[-1]].coda == "before":
        form.coda, form.outro = codas[-1], True
        if len(codas) > 1:
            form.to_coda, form.before = codas[0], bars[codas[0]].coda == "before"


_JUMPED = ("coda", "fine", "ending", "end")  # the player is on its way back after a D.C./D.S.


class _Player:
    """One chorus of a written chart as iReal Pro's player meets it, as bar indices; `final`
    for the last chorus, which takes an outro coda."""

    def __init__(self, bars: list[_Bar], form: _Form, *, final: bool) -> None:
        self.bars, self.form, self.final = bars, form, final
        self.after = ""                         # once jumped: one of _JUMPED; "done" at the coda
        self.ending_to = 0                      # al 2nd ending: 2, the ending that ends it
        self.stop_at = -1                       # the bar that ends the chorus, once known
        self.passes: dict[int, int] = {}        # repeat start → the pass being played (1 first)
        self.taken: dict[int, tuple] = {}       # repeat start → (pass, after) its ending was in

    def play(self) -> list[int]:
        """The bars played, in order."""
        out, i, steps, form = [], 0, 0, self.form
        while i < len(self.bars):
            steps += 1
            if len(out) > MAX_BARS or steps > 4 * MAX_BARS:
                raise ChartError(f"the form expands to more than {MAX_BARS} bars")
            if self.bars[i].ending and (way := self._ending(i)) != i:
                i = way
                continue
            if form.outro and i == form.coda and not self.final:
                break
            if self._leaves_for_coda(i, before=True):
                i, self.after = form.coda, "done"
                continue
            out.append(i)
            if i == self.stop_at or (self.bars[i].fine and self.after in ("fine", "ending", "end")):
                break
            i = self._next(i)
        return out

    def _next(self, i: int) -> int:
        """The bar after bar `i`: the coda, a D.C./D.S. target, a repeat's start or the next."""
        bar, form, start = self.bars[i], self.form, self.form.starts[i]
        if self._leaves_for_coda(i, before=False):
            self.after = "done"
            return form.coda
        if bar.jump_to and not self.after:
            self.after, self.ending_to = bar.jump_then or "end", bar.jump_ending
            return form.segno if bar.jump_to == "segno" else 0
        if bar.repeat_end and self.after in ("", "done") \
                and self.passes.get(start, 1) < form.passes.get(start, 2):
            self.passes[start] = self.passes.get(start, 1) + 1
            return start
        return i + 1

    def _leaves_for_coda(self, i: int, *, before: bool) -> bool:
        """True where the player leaves bar `i` (before or after playing it) for the coda."""
        form = self.form
        if i != form.to_coda or form.before != before:
            return False
        if not form.outro:
            return self.after == "coda"
        start = form.starts[i]
        last_pass = not form.inside[i] or self.passes.get(start, 1) >= form.passes.get(start, 2)
        return self.final and not self.after and last_pass

    def _ending(self, i: int) -> int:
        """Where the player goes at the first bar of ending `i`: `i` to play it, else the ending
        this pass takes, or past the repeat's endings."""
        form, start, number = self.form, self.form.starts[i], self.bars[i].ending
        pass_key, wanted = (self.passes.get(start, 1), self.after), self._wanted(start)
        if number == wanted:
            self.taken[start] = pass_key
            if self.after == "ending" and number == self.ending_to:
                self.stop_at = form.ending_last[i]
            return i
        if wanted is None or self.taken.get(start) == pass_key:
            return max(form.ending_last[b] for b in form.endings[start].values()) + 1
        return form.endings[start][wanted]

    def _wanted(self, start: int) -> int | None:
        """The ending this pass of the repeat at `start` takes (None: none of them)."""
        numbers, form = self.form.endings[start], self.form
        if self.after == "ending" and self.ending_to in numbers:
            return self.ending_to
        last = form.passes.get(start, 2)
        now = last if self.after in _JUMPED else self.passes.get(start, 1)
        closed = {k for k, first in numbers.items() if form.skip_to[first] >= 0}
        if now < last:
            return max((k for k in closed if k <= now), default=None)
        if now in numbers:
            return now
        return min(set(numbers) - closed, default=None)


def _end_at_stop(bars: list[_Bar], order: list[int]) -> list[int]:
    """The last chorus ends after its last END (``U``) bar; without one, it plays through."""
    stops = [k for k, i in enumerate(order) if bars[i].stop]
    return order[:stops[-1] + 1] if stops else order


def _chart(song: _Song) -> Chart:
    """Read one song into a chart: a chorus's bars in playing order, and the last chorus's."""
    try:
        written = _Reader(song.music).read()
        form = _form(written)
        chorus = _Player(written, form, final=False).play()
        last = _end_at_stop(written, _Player(written, form, final=True).play())
    except ChartError as e:
        cut = song.extra.get("format") == "irealb"     # iReal Pro wrote it: a bad chart is damage
        raise ChartError(f"iReal Pro tune {song.title!r}: " + (
            f"the link looks cut off or damaged ({e}); copy the whole link again" if cut
            else str(e))) from e
    if not song.extra.get("complete", True):
        raise ChartError(f"iReal Pro tune {song.title!r}: the link looks cut off or damaged "
                         f"(it ends inside the tune's chart); copy the whole link again")
    bars = tuple(written[i].bar for i in (chorus or last))
    last_bars = tuple(written[i].bar for i in last)
    if not bars:
        raise ChartError(f"iReal Pro tune {song.title!r} has no bars")
    tempo = song.extra.get("tempo", "")
    digits = tempo.isascii() and tempo.isdigit() and len(tempo) <= 4
    qpm = float(tempo) if digits and 0 < int(tempo) <= 1000 else None   # 0: iReal's default
    extra = {**song.extra, "style": song.style}
    extra.pop("complete", None)
    return Chart(title=song.title, bars=bars, qpm=qpm, key=song.key or None,
                 composer=song.composer, extra=extra,
                 last_chorus_bars=None if last_bars == bars else last_bars)


def parse_ireal_link(link: str) -> list[Chart]:
    """Every song of an ``irealb://`` or ``irealbook://`` link (a playlist), in order.

    >>> link = make_ireal_link([("Blues", "Me", "Swing", "F", "T44F7 |Bb7 |F7 |x Z")])
    >>> [bar.chords for bar in parse_ireal_link(link)[0].bars]
    [((0.0, 'F7'),), ((0.0, 'Bb7'),), ((0.0, 'F7'),), ((0.0, 'F7'),)]
    """
    return [_chart(song) for song in _songs(link)]


def _source_links(source: str | Path) -> tuple[list[str], str]:
    """The links in `source` (a link itself, or a text/HTML file holding them), and its name."""
    if isinstance(source, str) and source.lstrip()[:12].lower().startswith(_SCHEMES):
        return [source], "the link"
    path = Path(source)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ChartError(f"{path} is over the {MAX_FILE_BYTES} byte limit for iReal Pro files")
        with path.open("rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except (OSError, ValueError) as e:
        raise ChartError(f"cannot read iReal Pro file {str(path)[:80]!r}: {e}") from e
    if len(data) > MAX_FILE_BYTES:
        raise ChartError(f"{path} is over the {MAX_FILE_BYTES} byte limit for iReal Pro files")
    links = _links_in(data.decode("utf-8", errors="replace"))
    if not links:
        raise ChartError(f"no irealb:// or irealbook:// link in {path}")
    return links, str(path)


def _links_in(text: str) -> list[str]:
    """Each link in a page or text file: up to its closing quote, else to the line's end."""
    links, i = [], text.find("ireal")
    while i >= 0:
        if text.startswith(_SCHEMES, i):
            quote_char = text[i - 1] if i and text[i - 1] in "\"'" else ""
            end = text.find(quote_char or "\n", i)
            end = len(text) if end < 0 else end
            link = text[i:end].strip()
            if not quote_char and link.startswith("irealb://"):  # encoded: no space, < or >
                link = link.replace("<", " ").replace(">", " ").split(None, 1)[0]
            links.append(html.unescape(link))
            i = end
        i = text.find("ireal", i + 1)
    return links


def _source_songs(source: str | Path) -> tuple[list[_Song], str]:
    """The songs of every link in `source`, each once (pages repeat a playlist's songs)."""
    links, name = _source_links(source)
    seen, songs = set(), []
    for link in links:
        for song in _songs(link):
            if (song.title, song.music) not in seen:
                seen.add((song.title, song.music))
                songs.append(song)
    return songs, name


def list_ireal_tunes(source: str | Path) -> list[str]:
    """The titles in an iReal Pro link or file, in order.

    >>> list_ireal_tunes(make_ireal_link([("A", "", "", "C", "C Z"), ("B", "", "", "F", "F7 Z")]))
    ['A', 'B']
    """
    return [song.title for song in _source_songs(source)[0]]


def read_ireal(source: str | Path, *, tune: str | None = None) -> Chart:
    """One tune (the first, or the one titled `tune`, any case) of an iReal Pro link or file.

    >>> read_ireal(make_ireal_link([("Two", "", "Swing", "C", "C^7 A-7 |D-7 G7 Z")])).bars[0].chords
    ((0.0, 'C^7'), (2.0, 'A-7'))
    """
    songs, name = _source_songs(source)
    if tune is None:
        return _chart(songs[0])
    wanted = tune.strip().casefold()
    for song in songs:
        if song.title.casefold() == wanted:
            return _chart(song)
    titles = [" ".join(song.title.split())[:40] for song in songs]
    more = f", ... ({len(titles) - 10} more)" if len(titles) > 10 else ""
    raise ChartError(f"no tune {tune[:40]!r} in {name}; its tunes: {', '.join(titles[:10])}{more}")


def make_ireal_link(songs: Iterable[tuple[str, str, str, str, str]], *, scrambled: bool = False,
                    playlist: str = "") -> str:
    """A link from ``(title, composer, style, key, chart)`` songs, for tests and examples.

    The link is plain ``irealbook://``, or ``irealb://`` with each chart scrambled as iReal Pro
    writes it when `scrambled`; `playlist` names an ``irealb://`` playlist.

    >>> make_ireal_link([("Blues", "Me", "Swing", "F", "F7 |Bb7 Z")])
    'irealbook://Blues=Me=Swing=F=n=F7%20%7CBb7%20Z'
    """
    def q(text: str) -> str:
        return quote(text, safe="")
    if not scrambled:
        return "irealbook://" + "===".join(f"{q(t)}={q(c)}={q(s)}={q(k)}=n={q(m)}"
                                           for t, c, s, k, m in songs)
    body = "===".join(f"{q(t)}={q(c)}=={q(s)}={q(k)}=={MUSIC_PREFIX}{q(scramble(m))}==0=0"
                      for t, c, s, k, m in songs)
    return "irealb://" + body + (f"==={q(playlist)}" if playlist else "")
