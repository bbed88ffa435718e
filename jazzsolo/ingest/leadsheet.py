"""MusicXML lead sheets (.musicxml, .xml, .mxl) → Chart: the chord symbols as written, bar by bar.

Each written measure becomes one ChartBar with its own time signature and length (a pickup is
shorter), and its ``<harmony>`` symbols as jazz text at their offsets; bars come in playing order.

Structure read (music21 reads the file; the playing order is worked out here):

* repeat barlines (``times`` too) and first/second... endings: music21's ``repeat.Expander``.
  A backward repeat with no forward repeat before it goes back to bar 1, not to a pickup.
* D.C., D.C. al Fine, D.C. al Coda, D.S., D.S. al Fine, D.S. al Coda: music21 reads them from
  ``<words>`` text ("D.S. al Coda", "To Coda", "Fine") and ``<segno/>``/``<coda/>`` signs, but its
  Expander plays every ending again after the jump, so the jump is laid out here: first time
  through with repeats, then from the start or the segno without repeats (only the last ending)
  to the Fine or the To Coda, then the coda.  The first coda sign is the jump, the second the
  target.  One jump per sheet.
* A jump written only as ``<sound dacapo|dalsegno|tocoda>`` (no words) is not read by music21
  (10.5): it is refused with a ChartError, never silently ignored.  So are score-timewise files.

Files are untrusted: size limits before parsing, entity declarations refused, archive members
sized before unpacking, and every failure is one ChartError line.
"""
from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

from music21 import bar, harmony, key, meter, repeat, spanner, stream, tempo
from music21.musicxml.xmlToM21 import MusicXMLImporter

from jazzsolo.music.chart import NO_CHORD, Chart, ChartBar
from jazzsolo.errors import ChartError

MAX_FILE_BYTES = 5 * 1024 * 1024      # a lead sheet file as stored (.mxl compressed)
MAX_XML_BYTES = 20 * 1024 * 1024      # all members of an .mxl archive once unpacked
MAX_ZIP_MEMBERS = 64                  # files in an .mxl archive
MAX_PLAYED_BARS = 5000                # bars once repeats are played out (times="1000" is refused)
_SUFFIXES = (".musicxml", ".xml", ".mxl")
_ROOT_RE = re.compile(rb"<score-(?:partwise|timewise)[\s>/]")
_ACCIDENTALS = {-2: "bb", -1: "b", 0: "", 1: "#", 2: "##"}

# music21 chord kinds (its own names and the MusicXML ones it aliases) → jazz quality text.
_KIND_TEXT: dict[str, str] = {
    "major": "", "minor": "m", "augmented": "aug", "diminished": "dim",
    "dominant": "7", "dominant-seventh": "7", "major-seventh": "maj7", "minor-seventh": "m7",
    "major-minor": "m(maj7)", "minor-major-seventh": "m(maj7)", "augmented-seventh": "7#5",
    "augmented-major-seventh": "maj7#5", "half-diminished": "m7b5",
    "half-diminished-seventh": "m7b5", "diminished-seventh": "dim7", "seventh-flat-five": "7b5",
    "major-sixth": "6", "minor-sixth": "m6", "dominant-ninth": "9", "major-ninth": "maj9",
    "minor-ninth": "m9", "minor-major-ninth": "m(maj9)", "augmented-dominant-ninth": "9#5",
    "augmented-major-ninth": "maj9#5", "half-diminished-ninth": "m9b5",
    "dominant-11th": "11", "major-11th": "maj11", "minor-11th": "m11", "minor-major-11th": "m(maj11)",
    "dominant-13th": "13", "major-13th": "maj13", "minor-13th": "m13", "minor-major-13th": "m(maj13)",
    "suspended-second": "sus2", "suspended-fourth": "sus4", "suspended-fourth-seventh": "7sus4",
    "power": "5", "pedal": "pedal",                   # pedal: the root alone, as "C pedal" on paper
    "Neapolitan": "", "German": "7", "Italian": "7(no5)", "French": "7(b5)", "Tristan": "m7b5",
}
_TRIAD_KINDS = {"major", "minor", "augmented", "diminished", "suspended-second", "suspended-fourth",
                "power"}                           # an unaltered added tone reads "add9" on these


def is_musicxml(path: Path) -> bool:
    """True for a .musicxml/.xml/.mxl file whose root is a MusicXML score, or an .mxl archive.

    >>> is_musicxml(Path("no-such-tune.musicxml")), is_musicxml(Path("tune.mid"))
    (False, False)
    """
    path = Path(path)
    if path.suffix.lower() not in _SUFFIXES or not path.is_file():
        return False
    try:
        with path.open("rb") as f:
            head = f.read(16384)
        if head[:4] == b"PK\x03\x04":
            with zipfile.ZipFile(path) as archive:
                return "META-INF/container.xml" in archive.namelist()
    except (OSError, zipfile.BadZipFile, ValueError):
        return False
    return _ROOT_RE.search(head) is not None


def read_lead_sheet(path: str | Path) -> Chart:
    """Read a MusicXML lead sheet as written: one ChartBar per bar played, chord symbols as text.

    >>> read_lead_sheet("no-such-tune.musicxml")
    Traceback (most recent call last):
    jazzsolo.errors.ChartError: no-such-tune.musicxml: no such file
    """
    path = Path(path)
    root = _xml_root(path)
    score = _music21_score(root, path)
    try:
        return _chart(score, root, path)
    except ChartError:
        raise
    except Exception as e:  # music21 objects from a damaged file can fail anywhere
        raise ChartError(f"{path}: cannot read the lead sheet ({_one_line(e)})") from e


def chord_text(symbol: harmony.ChordSymbol) -> str:
    """A music21 chord symbol as a jazz musician writes it (flats ``b``, minor ``m``).

    >>> [chord_text(harmony.ChordSymbol(f)) for f in ("B-7", "E-maj7", "F#m7b5", "C7b9", "Dm/C")]
    ['Bb7', 'Ebmaj7', 'F#m7b5', 'C7(b9)', 'Dm/C']
    >>> chord_text(harmony.NoChord()), chord_text(harmony.ChordSymbol("Cadd9"))
    ('N.C.', 'Cadd9')
    """
    kind = getattr(symbol, "chordKind", None)
    if isinstance(symbol, harmony.NoChord) or kind == "none":
        return NO_CHORD
    if not isinstance(symbol, harmony.ChordSymbol) or not symbol.pitches:
        raise ChartError(f"a chord symbol without a root or pitches (kind {kind!r})")
    root = symbol.root()                      # (music21 recurses forever on a rootless one)
    if kind not in _KIND_TEXT:
        raise ChartError(f"unknown chord kind {kind!r} on {_note_name(root)} "
                         f"(known: MusicXML <kind> values, e.g. dominant, minor-seventh)")
    quality, tensions = _KIND_TEXT[kind], []
    for mod in sorted(symbol.getChordStepModifications(), key=lambda c: c.degree or 0):
        alter = int(mod.interval.semitones) if mod.interval is not None else 0
        if alter not in _ACCIDENTALS or mod.degree is None:
            raise ChartError(f"unreadable chord degree {mod!r} on {_note_name(root)}{quality}")
        if mod.modType == "subtract":
            tensions.append(f"no{mod.degree}")
        elif quality == "m7" and mod.degree == 5 and alter == -1:
            quality = "m7b5"                    # music21 reads "m7b5" as m7 plus a flat five
        elif mod.modType == "add" and alter == 0 and kind in _TRIAD_KINDS:
            tensions.append(f"add{mod.degree}")
        else:
            tensions.append(f"{_ACCIDENTALS[alter]}{mod.degree}")
    if len(tensions) == 1 and tensions[0].startswith("add"):
        quality += tensions.pop()
    text = _note_name(root) + quality + (f"({','.join(tensions)})" if tensions else "")
    bass = symbol.bass()
    return text + (f"/{_note_name(bass)}" if bass is not None and bass.name != root.name else "")


def _note_name(pitch) -> str:
    return pitch.name.replace("-", "b")


def _one_line(e: BaseException) -> str:
    return " ".join(f"{type(e).__name__}: {e}".split())[:300]


def _xml_root(path: Path) -> ET.Element:
    """The file's XML root, after the size checks; an .mxl archive is unpacked first."""
    if not path.is_file():
        raise ChartError(f"{path}: no such file" if not path.exists() else f"{path}: not a file")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ChartError(f"{path}: {size} bytes is over the {MAX_FILE_BYTES}-byte limit "
                         "for a lead sheet")
    data = path.read_bytes()
    if data[:4] == b"PK\x03\x04":
        data = _unzipped_score(path, data)
    root = _parse_xml(data, path)
    if root.tag != "score-partwise":
        raise ChartError(f"{path}: root element <{root.tag[:40]}> is not <score-partwise> "
                         "(score-timewise is not read by music21)")
    return root


def _parse_xml(data: bytes, path: Path) -> ET.Element:
    if b"<!ENTITY" in data:
        raise ChartError(f"{path}: XML entity declarations are refused in a lead sheet")
    try:
        return ET.fromstring(data)
    except Exception as e:
        raise ChartError(f"{path}: not MusicXML ({_one_line(e)})") from e


def _unzipped_score(path: Path, data: bytes) -> bytes:
    """The score inside an .mxl archive, refusing archives that unpack past the limits."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            unpacked = sum(info.file_size for info in infos)
            if len(infos) > MAX_ZIP_MEMBERS or unpacked > MAX_XML_BYTES:
                raise ChartError(f"{path}: archive unpacks to {unpacked} bytes in {len(infos)} files; "
                                 f"the limit is {MAX_XML_BYTES} bytes in {MAX_ZIP_MEMBERS} files")
            with archive.open(_rootfile_name(archive, path)) as member:
                xml = member.read(MAX_XML_BYTES + 1)      # bounded even if sizes in it lie
    except ChartError:
        raise
    except Exception as e:
        raise ChartError(f"{path}: not a readable .mxl archive ({_one_line(e)})") from e
    if len(xml) > MAX_XML_BYTES:
        raise ChartError(f"{path}: the score in the archive is over {MAX_XML_BYTES} bytes")
    return xml


def _rootfile_name(archive: zipfile.ZipFile, path: Path) -> str:
    names = archive.namelist()
    if "META-INF/container.xml" in names:
        container = _parse_xml(archive.read("META-INF/container.xml"), path)
        for element in container.iter():
            if element.tag.rsplit("}", 1)[-1] == "rootfile" and element.get("full-path"):
                return element.get("full-path")
    scores = [n for n in names if not n.startswith("META-INF/") and n.endswith((".xml", ".musicxml"))]
    if not scores:
        raise ChartError(f"{path}: no MusicXML score in the .mxl archive")
    return scores[0]


def _music21_score(root: ET.Element, path: Path) -> stream.Score:
    importer = MusicXMLImporter()
    importer.xmlRoot = root
    try:
        importer.xmlRootToScore(root, importer.stream)
    except Exception as e:
        raise ChartError(f"{path}: music21 cannot read this MusicXML ({_one_line(e)})") from e
    return importer.stream


def _chart(score: stream.Score, root: ET.Element, path: Path) -> Chart:
    part = next((p for p in score.parts if p.recurse().getElementsByClass(harmony.Harmony).first()),
                None)
    if part is None:
        raise ChartError(f"{path}: no chord symbols (<harmony> elements) in the lead sheet")
    measures = list(part.getElementsByClass(stream.Measure))
    written = _written_bars(measures, path)
    order = _playing_order(part, measures, written, root, path)
    md = score.metadata
    mark = next((mm for mm in score.recurse().getElementsByClass(tempo.MetronomeMark)
                 if mm.getQuarterBPM()), None)
    signature = part.recurse().getElementsByClass(key.KeySignature).first()
    tonic = (key.KeySignature(signature.sharps).asKey("major").tonic
             if signature is not None and signature.sharps is not None else None)
    return Chart(title=(md and (md.title or md.movementName)) or "",
                 bars=tuple(written[i] for i in order),
                 qpm=float(mark.getQuarterBPM()) if mark else None,
                 key=_note_name(tonic) if tonic is not None else None,
                 composer=(md and md.composer) or "",
                 extra={"source": "musicxml", "written_bars": len(measures),
                        "measure_numbers": tuple(measures[i].number for i in order)})


def _written_bars(measures: list[stream.Measure], path: Path) -> list[ChartBar]:
    """One ChartBar per written measure: metre, length from its notes and rests, chord symbols."""
    signature, bars = None, []
    for number, m in enumerate(measures, start=1):
        signature = (m.timeSignature or signature or m.getContextByClass(meter.TimeSignature)
                     or meter.TimeSignature("4/4"))
        ends = [float(n.getOffsetInHierarchy(m) + n.quarterLength)
                for n in m.recurse().notesAndRests if not isinstance(n, harmony.Harmony)]
        length = max(ends, default=0.0) or float(signature.barDuration.quarterLength)
        chords: dict[float, str] = {}
        for h in m.recurse().getElementsByClass(harmony.Harmony):
            try:
                offset, text = float(h.getOffsetInHierarchy(m)), chord_text(h)
            except ChartError as e:
                raise ChartError(f"{path}: bar {number}: {e}") from e
            if not 0 <= offset < length:
                raise ChartError(f"{path}: bar {number}: chord symbol {text!r} at {offset} ql "
                                 f"lies outside the bar (0 to {length} ql)")
            chords.setdefault(round(offset, 6), text)
        bars.append(ChartBar(signature.ratioString, length, tuple(sorted(chords.items()))))
    return bars


def _is_repeat(barline, direction: str) -> bool:
    return isinstance(barline, bar.Repeat) and barline.direction == direction


def _playing_order(part: stream.Part, measures: list[stream.Measure], written: list[ChartBar],
                   root: ET.Element, path: Path) -> list[int]:
    """Indices of the written measures in the order they are played."""
    signs: dict[str, list[int]] = {}
    jumps = []
    for i, m in enumerate(measures):
        for mark in list(m.recurse().getElementsByClass(repeat.RepeatExpression)):
            if isinstance(mark, repeat.RepeatExpressionCommand):
                jumps.append((i, mark))
            signs.setdefault(type(mark).__name__, []).append(i)
            m.remove(mark, recurse=True)        # the Expander below plays repeats only
    if not jumps and any(set(s.attrib) & {"dacapo", "dalsegno", "tocoda"} for s in root.iter("sound")):
        raise ChartError(f"{path}: a D.C./D.S./To Coda jump written only as <sound> is not read "
                         "(music21 reads jumps from words such as 'D.S. al Coda')")
    if len(jumps) > 1:
        raise ChartError(f"{path}: {len(jumps)} D.C./D.S. jumps; one per lead sheet is supported")
    skipped_after_jump = _repeating_endings(part, measures)
    full_ql = meter.TimeSignature(written[0].time_signature).barDuration.quarterLength
    if len(written) > 1 and written[0].length_ql < full_ql:          # a pickup
        _repeat_from_bar_one(measures)
    order = _expand_repeats(part, measures, path)
    if not jumps:
        return order
    return _with_jump(order, jumps[0], signs, skipped_after_jump, len(measures), path)


def _repeat_from_bar_one(measures: list[stream.Measure]) -> None:
    """After a pickup, a backward repeat with no forward repeat before it goes back to bar 1."""
    for m in measures:
        if _is_repeat(m.leftBarline, "start") or _is_repeat(m.rightBarline, "start"):
            return
        if _is_repeat(m.rightBarline, "end"):
            measures[1].leftBarline = bar.Repeat(direction="start")
            return


def _repeating_endings(part: stream.Part, measures: list[stream.Measure]) -> set[int]:
    """Measures of the endings that repeat back (all but the last): skipped after a D.C./D.S."""
    index = {id(m): i for i, m in enumerate(measures)}
    skipped: set[int] = set()
    for bracket in part.flatten().getElementsByClass(spanner.RepeatBracket):
        spanned = [index[id(m)] for m in bracket.getSpannedElements() if id(m) in index]
        if spanned and _is_repeat(measures[max(spanned)].rightBarline, "end"):
            skipped.update(range(min(spanned), max(spanned) + 1))
    return skipped


def _expand_repeats(part: stream.Part, measures: list[stream.Measure], path: Path) -> list[int]:
    """Repeat barlines and endings played out by music21's Expander, as measure indices."""
    weights, starts = [1] * len(measures), []
    for i, m in enumerate(measures):                   # an upper bound on the bars played
        if _is_repeat(m.leftBarline, "start"):
            starts.append(i)
        if _is_repeat(m.rightBarline, "end"):
            start = starts.pop() if starts else 0
            for j in range(start, i + 1):
                weights[j] *= max(m.rightBarline.times or 2, 1)
    if sum(weights) > MAX_PLAYED_BARS:
        raise ChartError(f"{path}: repeats play over {MAX_PLAYED_BARS} bars")
    for i, m in enumerate(measures):
        m.id = f"bar{i}"
    try:
        played = repeat.Expander(part).process()
    except Exception as e:
        raise ChartError(f"{path}: badly formed repeats or endings ({_one_line(e)})") from e
    return [int(str(m.id)[3:]) for m in played.getElementsByClass(stream.Measure)]


def _with_jump(order: list[int], jump: tuple[int, repeat.RepeatExpressionCommand],
               signs: dict[str, list[int]], skipped: set[int], n_measures: int,
               path: Path) -> list[int]:
    """Play through with repeats to the jump, then again without them to the Fine/coda."""
    at, command = jump
    name, text = type(command).__name__, command.getText()
    if at not in order:
        raise ChartError(f"{path}: the {text!r} in written bar {at + 1} is never reached")
    start = _first_sign(signs, "Segno", text, path) if "Segno" in name else 0
    stop, coda = n_measures - 1, []
    if name.endswith("AlFine"):
        stop = _first_sign(signs, "Fine", text, path)
    if name.endswith("AlCoda"):
        codas = signs.get("Coda", [])
        if len(codas) < 2 or codas[1] <= at:
            raise ChartError(f"{path}: {text!r} needs a 'To Coda' and a coda sign after it")
        stop, coda = codas[0], order[order.index(codas[1]):]
    if stop < start:
        raise ChartError(f"{path}: {text!r} ends (written bar {stop + 1}) before it starts "
                         f"(written bar {start + 1})")
    last_time = len(order) - order[::-1].index(at)
    return order[:last_time] + [i for i in range(start, stop + 1) if i not in skipped] + coda


def _first_sign(signs: dict[str, list[int]], name: str, text: str, path: Path) -> int:
    if name not in signs:
        raise ChartError(f"{path}: {text!r} but no {name} sign")
    return signs[name][0]
