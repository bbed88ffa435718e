"""iReal Pro links (``irealb://``, ``irealbook://``, HTML exports) → charts, bars in playing order.

Links are URL-encoded.  ``irealbook://`` songs are ``Title=Composer=Style=Key=n=Chart`` joined by
``===``.  ``irealb://`` songs are ``Title=Composer==Style=Key=Transpose=Music=Groove=Tempo=Repeats``
(Music: ``1r34LbKcu7`` and the chart shuffled, see `unscramble`); empty fields can make ``===``
inside a song, so each is found from its music field.  Bars of only spaces are layout: dropped.

Placement: a bar's chords (with ``n`` N.C. and ``p`` slashes) share it evenly when their count
divides its beats (two in 4/4: beats 1 and 3); else each sits on its iReal cell (a chord, slash or
space takes one, ``,`` none) if the cells fit the beats; else they share it evenly.  A slash
places nothing (the chord goes on); ``W/E`` is the chord before over E, written ``C7/E``.

Form, once through: ``{ }`` plays twice (or as often as its highest ending number), ending N on
pass N; ``x``/``r`` copy the one/two bars written before; a D.C./D.S. comment jumps once to the
top or the segno ``S``, after which repeats play once with their last ending.  "al Coda" leaves
at the first ``Q`` (before its bar if the ``Q`` comes before the bar's first chord, else after;
at the D.C. bar if there is one ``Q``) for the last ``Q``; "al Fine" stops after ``<Fine>``;
``U`` stops.  With no D.C./D.S. the chart plays straight through and ``Q`` is ignored.

Not pyRealParser (PyPI 0.1.0, 2018, the one Python reader): it turns ``C7alt`` into ``C7at``,
merges third endings into one bar, ignores D.C./al Fine, drops songs with an empty composer,
gives no chord offsets, keeps one time signature and prints instead of raising.
"""
from __future__ import annotations

import html
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
_BACK_MARKS = ("repeat_end", "jump_to", "jump_then", "fine", "stop")  # belong to the bar before


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
            "format": "irealb", "groove": groove, "tempo": tempo, "repeats": repeats}))
        previous = k
    return songs


def _irealbook_songs(fields: list[str]) -> list[_Song]:
    """Songs of an ``irealbook://`` link: six fields each, songs joined by ``===``."""
    songs, i = [], 0
    while i < len(fields):
        if not fields[i]:  # the empty fields a "===" separator leaves
            i += 1
            continue
        if i + 6 > len(fields):
            raise ChartError(f"malformed irealbook:// song {fields[i][:40]!r}: "
                             "expected Title=Composer=Style=Key=n=Chart")
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
    ending: int = 0                            # N1 → 1; 0 for none
    segno: bool = False
    coda: str = ""                             # "before"/"after" the bar's first chord
    jump_to: str = ""                          # "top" (D.C.) or "segno" (D.S.)
    jump_then: str = ""                        # "coda", "fine" or "" (play to the end)
    fine: bool = False
    stop: bool = False                         # U: the player stops after this bar
    bar: ChartBar | None = None


def _move_back_marks(source: _Bar, target: _Bar) -> None:
    """Hand the marks that close a bar (repeat end, D.C., Fine, stop) from one bar to another."""
    for name in _BACK_MARKS:
        value = getattr(source, name)
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
                self._close()
                self.cur.repeat_start = self.cur.repeat_start or c == "{"
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
                cur.coda = cur.coda or ("after" if cur.slots else "before")
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
        """Read D.C./D.S. (al Coda, al Fine) and Fine from a ``<comment>``; ignore any other."""
        end = self._after(">")
        text, self.i = self.s[self.i:end].lower(), end
        if "d.c." in text or "d.s." in text:
            self.cur.jump_to = "segno" if "d.s." in text else "top"
            self.cur.jump_then = "coda" if "coda" in text else "fine" if "fine" in text else ""
        elif "fine" in text:
            self.cur.fine = True

    def _mark(self, c: str) -> None:
        """Read a time signature ``T44`` (``T12`` is 12/8), an ending ``N1`` or a section ``*A``."""
        s, i = self.s, self.i
        if c == "*":
            self.i += 1
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
    skip_to: list[int]                # an ending bar: the bar after its "}"; -1 for a last ending
    passes: dict[int, int]            # repeat start → times its section plays
    segno: int = 0
    coda: int = -1                    # the coda's first bar, -1 for none
    to_coda: int = -1                 # the bar the D.C./D.S. leaves for the coda
    before: bool = False              # leave before that bar rather than after it


def _form(bars: list[_Bar]) -> _Form:
    """Find each bar's repeat, each ending's way out, the segno and the coda jump."""
    form, start, ending = _Form([], [-1] * len(bars), {}), 0, -1
    for i, bar in enumerate(bars):
        if bar.repeat_start:
            start, ending = i, -1
        if bar.ending:
            ending = i
            form.passes[start] = max(form.passes.get(start, 2), bar.ending)
        form.starts.append(start)
        if bar.repeat_end and ending >= 0:
            form.skip_to[ending], ending = i + 1, -1
    jump = next((i for i, b in enumerate(bars) if b.jump_to), -1)
    form.segno = next((i for i, b in enumerate(bars) if b.segno), 0)
    codas = [i for i, b in enumerate(bars) if b.coda]
    if jump >= 0 and codas and codas[-1] > jump:
        form.coda = codas[-1]
        form.to_coda = codas[0] if codas[0] < form.coda else jump
        form.before = form.to_coda != jump and bars[form.to_coda].coda == "before"
    return form


def _play_order(bars: list[_Bar]) -> tuple[ChartBar, ...]:
    """Expand repeats, endings and D.C./D.S. jumps: the bars as a player meets them."""
    form, out, i, steps = _form(bars), [], 0, 0
    after = ""                              # once jumped: "coda", "fine", "end"; "done" at the coda
    passes: dict[int, int] = {}
    while i < len(bars):
        steps += 1
        if len(out) > MAX_BARS or steps > 4 * MAX_BARS:
            raise ChartError(f"the form expands to more than {MAX_BARS} bars")
        bar, start = bars[i], form.starts[i]
        if bar.ending and form.skip_to[i] >= 0 and (after or bar.ending != passes.get(start, 1)):
            i = form.skip_to[i]
            continue
        if after == "coda" and i == form.to_coda and form.before:
            i, after = form.coda, "done"
            continue
        out.append(bar.bar)
        if bar.stop or (after == "fine" and bar.fine):
            break
        if after == "coda" and i == form.to_coda:
            i, after = form.coda, "done"
        elif bar.jump_to and not after:
            i, after = (form.segno if bar.jump_to == "segno" else 0), bar.jump_then or "end"
        elif bar.repeat_end and not after and passes.get(start, 1) < form.passes.get(start, 2):
            i, passes[start] = start, passes.get(start, 1) + 1
        else:
            i += 1
    return tuple(out)


def _chart(song: _Song) -> Chart:
    """Read one song into a chart with its bars in playing order."""
    reader = _Reader(song.music)
    try:
        bars = _play_order(reader.read())
    except ChartError as e:
        raise ChartError(f"iReal Pro tune {song.title!r}: {e}") from e
    if not bars:
        raise ChartError(f"iReal Pro tune {song.title!r} has no bars")
    tempo = song.extra.get("tempo", "")
    digits = tempo.isascii() and tempo.isdigit() and len(tempo) <= 4
    qpm = float(tempo) if digits and 0 < int(tempo) <= 1000 else None   # 0: iReal's default
    extra = {**song.extra, "style": song.style}
    return Chart(title=song.title, bars=bars, qpm=qpm, key=song.key or None,
                 composer=song.composer, extra=extra)


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
