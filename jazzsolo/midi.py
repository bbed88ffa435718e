"""Notes and chords → a Standard MIDI File (solo, chord and bass tracks, tempo and metre), written
safely; MIDI → WAV."""
from __future__ import annotations

import contextlib
import difflib
import functools
import io
import os
import sys
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import mido
import numpy as np

from jazzsolo.errors import ConfigError, InputFileError, MidiContentError, OutputExistsError

TICKS_PER_BEAT = 480                   # divisible by 4 and 3: 1/16 notes and triplets are exact
SOLO_PROGRAM = 26                      # General MIDI 27, Electric Guitar (jazz), 0-based
CHORD_PROGRAM = 0                      # General MIDI 1, Acoustic Grand Piano
SOLO_VELOCITY = 100
CHORD_VELOCITY = 64
BASS_PROGRAM = 32                      # General MIDI 33, Acoustic Bass
BASS_VELOCITY = 80


@dataclass(frozen=True)
class TimedNotes:
    """Notes sounding together from `offset_ql` for `duration_ql` quarter lengths."""

    offset_ql: float
    duration_ql: float
    pitches: tuple[int, ...]           # MIDI note numbers, 0-127


def _ticks(ql: float) -> int:
    return int(round(ql * TICKS_PER_BEAT))


# ---------------------------------------------------------------------------------------------
# Metre: time signatures as written ("3/4", "6/8") and the length of their bars.

MAX_TS_NUMERATOR = 32                  # beats in a bar; more is a typo, not a metre
TS_DENOMINATORS = (1, 2, 4, 8, 16, 32)
MIDI_CLOCKS_PER_QUARTER = 24           # MIDI's timing clock, fixed by the standard


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


def _time_signature_message(text: str, tick: int) -> mido.MetaMessage:
    """A time_signature meta event; the metronome clicks once per beat (a dotted one in 6/8)."""
    numerator, denominator = parse_time_signature(text)
    compound = denominator >= 8 and numerator > 3 and numerator % 3 == 0
    clocks = MIDI_CLOCKS_PER_QUARTER * 4 // denominator * (3 if compound else 1)
    return mido.MetaMessage("time_signature", numerator=numerator, denominator=denominator,
                            clocks_per_click=clocks, time=tick)


def _track(name: str, channel: int, program: int, notes: Sequence[TimedNotes],
           velocity: int) -> mido.MidiTrack:
    """One named track; note-offs sort before note-ons at the same tick so repeats re-sound."""
    messages = []
    for timed in notes:
        start, end = _ticks(timed.offset_ql), _ticks(timed.offset_ql + timed.duration_ql)
        if end <= start:
            continue
        for p in timed.pitches:
            messages.append((start, 1, mido.Message("note_on", note=p, velocity=velocity,
                                                      channel=channel)))
            messages.append((end, 0, mido.Message("note_off", note=p, velocity=0,
                                                    channel=channel)))
    messages.sort(key=lambda m: (m[0], m[1], m[2].note))
    track = mido.MidiTrack([mido.MetaMessage("track_name", name=name, time=0),
                            mido.Message("program_change", program=program, channel=channel)])
    now = 0
    for tick, _, message in messages:
        track.append(message.copy(time=tick - now))
        now = tick
    track.append(mido.MetaMessage("end_of_track", time=0))
    return track


def _conductor(qpm: float, time_signatures: Sequence[tuple[float, str]]) -> mido.MidiTrack:
    """The tempo track: the tempo, then each time signature at its offset (quarter lengths)."""
    changes = sorted(time_signatures, key=lambda change: change[0])
    if not changes or changes[0][0] > 0:
        changes.insert(0, (0.0, "4/4"))               # a MIDI file without one is read as 4/4
    if changes[0][0] < 0:
        raise ConfigError(f"a time signature starts before the piece, at {changes[0][0]:g} QL")
    track = mido.MidiTrack([mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(qpm), time=0)])
    now = 0
    for offset_ql, text in changes:
        tick = _ticks(offset_ql)
        track.append(_time_signature_message(text, tick - now))
        now = tick
    track.append(mido.MetaMessage("end_of_track", time=0))
    return track


def build_midi(solo: Sequence[TimedNotes], chords: Sequence[TimedNotes], *, qpm: float = 130.0,
               solo_program: int = SOLO_PROGRAM, chord_program: int = CHORD_PROGRAM,
               bass: Sequence[TimedNotes] = (), bass_program: int = BASS_PROGRAM,
               time_signatures: Sequence[tuple[float, str]] = ((0.0, "4/4"),)) -> mido.MidiFile:
    """A type-1 MIDI file: a tempo track, the solo on channel 1, the chords on channel 2, and a
    bass line on channel 3 when one is given.

    `time_signatures` lists (offset in quarter lengths, e.g. "3/4") at the start and at every
    change of metre; each becomes a time_signature event in the tempo track.
    """
    midi_file = mido.MidiFile(type=1, ticks_per_beat=TICKS_PER_BEAT)
    midi_file.tracks.append(_conductor(qpm, time_signatures))
    midi_file.tracks.append(_track("Solo", 0, solo_program, solo, SOLO_VELOCITY))
    midi_file.tracks.append(_track("Chords", 1, chord_program, chords, CHORD_VELOCITY))
    if bass:
        midi_file.tracks.append(_track("Bass", 2, bass_program, bass, BASS_VELOCITY))
    return midi_file


def write_atomic(path: str | os.PathLike, data: bytes, *, overwrite: bool = False) -> Path:
    """Write bytes through a temporary file in the same folder, then rename it into place.

    A crash leaves either the old file or the new one, never half a file; an existing file is
    kept unless `overwrite` is set.
    """
    path = Path(path)
    if path.is_dir():
        raise InputFileError(f"{path}: is a directory, expected a file name to write")
    if path.exists() and not overwrite:
        raise OutputExistsError(f"{path}: exists already")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return path


def midi_bytes(midi_file: mido.MidiFile) -> bytes:
    """The bytes of a MIDI file as it would be saved."""
    import io

    buffer = io.BytesIO()
    midi_file.save(file=buffer)
    return buffer.getvalue()


def write_midi(path: str | os.PathLike, midi_file: mido.MidiFile, *, overwrite: bool = False) -> Path:
    """Save a MIDI file atomically, refusing to replace an existing one unless asked."""
    return write_atomic(path, midi_bytes(midi_file), overwrite=overwrite)


# ---------------------------------------------------------------------------------------------
# MIDI → audio: a WAV rendered with FluidSynth and a General MIDI SoundFont, or sine tones.
# pretty_midi and pyfluidsynth are imported only here, when audio is asked for.

SOLO_TRACK = "Solo"                    # track names written by `build_midi`
CHORD_TRACK = "Chords"
DEFAULT_SOLO_INSTRUMENT = "Electric Guitar (jazz)"
CHORD_INSTRUMENT = "Acoustic Grand Piano"
SAMPLE_RATE = 44100                    # Hz
PEAK_LEVEL = 0.9                       # loudest sample of a rendered WAV, fraction of full scale


@functools.lru_cache(maxsize=1)
def _load_fluidsynth():
    """Import pyfluidsynth once: ``(module, None)``, or ``(None, why not)``."""
    try:
        with contextlib.redirect_stdout(io.StringIO()):   # it prints the library path when $CI is set
            import fluidsynth
    except (ImportError, OSError) as e:
        return None, str(e) or type(e).__name__
    return fluidsynth, None


def _pretty_midi():
    """pretty_midi, imported on first use (its import also probes pyfluidsynth)."""
    with contextlib.redirect_stdout(io.StringIO()):
        import pretty_midi
    return pretty_midi


def gm_instrument_names() -> list[str]:
    """The 128 General MIDI instrument names, in program order (0-based)."""
    return list(_pretty_midi().constants.INSTRUMENT_MAP)


def gm_program(name: str) -> int:
    """The General MIDI program (0-127) of an instrument name; case and punctuation are ignored.

    >>> gm_program("Electric Guitar (jazz)"), gm_program("vibraphone")
    (26, 11)
    """
    try:
        return int(_pretty_midi().instrument_name_to_program(name))
    except (ValueError, TypeError):
        close = difflib.get_close_matches(str(name), gm_instrument_names(), n=3, cutoff=0.5)
        hint = f" (did you mean {', '.join(map(repr, close))}?)" if close else ""
        raise ConfigError(f"unknown General MIDI instrument {name!r}{hint}; list the 128 valid "
                          f"names with jazzsolo.midi.gm_instrument_names()") from None


def default_soundfont() -> Path:
    """The General MIDI SoundFont that pretty_midi ships (TimGM6mb.sf2, 6 MB)."""
    return Path(_pretty_midi().__file__).parent / "TimGM6mb.sf2"


def _file_header(path: Path, missing: str, expected: str) -> bytes:
    """The first 12 bytes of a file; a missing path or a directory is a one-line error."""
    if not path.is_file():
        raise InputFileError(f"{path}: {missing}" if not path.exists()
                             else f"{path}: is a directory, expected {expected}")
    with open(path, "rb") as f:
        return f.read(12)


def _check_soundfont(path: str | os.PathLike) -> Path:
    """Refuse a SoundFont path that is missing, a directory or not a RIFF sfbk/DLS file."""
    path = Path(path)
    header = _file_header(path, "no such SoundFont file", "a .sf2 SoundFont")
    if header[:4] != b"RIFF" or header[8:12] not in (b"sfbk", b"DLS "):
        raise InputFileError(f"{path}: not a SoundFont (expected a .sf2 file)")
    return path


def load_for_audio(midi_path: str | os.PathLike, *, solo_instrument: str = DEFAULT_SOLO_INSTRUMENT,
                   start_ql: float | None = None, end_ql: float | None = None):
    """Read a MIDI file for rendering: the "Solo" track on `solo_instrument`, "Chords" on piano.

    Other tracks keep their own instruments.  `start_ql`/`end_ql` (quarter lengths, converted
    with the file's own tempo map) cut out a passage that then starts at 0 s.
    Returns a ``pretty_midi.PrettyMIDI``.
    """
    from jazzsolo.preprocess import check_midi_file

    midi_path = check_midi_file(Path(midi_path))
    solo_program = gm_program(solo_instrument)
    try:
        midi = _pretty_midi().PrettyMIDI(str(midi_path))
    except Exception as e:  # mido and pretty_midi raise many types on corrupt files
        raise InputFileError(f"{midi_path}: not a readable MIDI file ({type(e).__name__}: {e})") from e
    for track in midi.instruments:
        if track.name == SOLO_TRACK and not track.is_drum:
            track.program = solo_program
        elif track.name == CHORD_TRACK and not track.is_drum:
            track.program = gm_program(CHORD_INSTRUMENT)
    if start_ql is not None or end_ql is not None:
        _crop(midi, midi_path, start_ql, end_ql)
    if not any(track.notes for track in midi.instruments):
        where = "" if start_ql is None and end_ql is None else f" between {start_ql} and {end_ql} QL"
        raise MidiContentError(f"{midi_path}: no notes to play{where}")
    return midi


def _crop(midi, midi_path: Path, start_ql: float | None, end_ql: float | None) -> None:
    """Keep what sounds between two offsets (quarter lengths); notes are clipped, times shifted."""
    start_s = midi.tick_to_time(round((start_ql or 0.0) * midi.resolution))
    end_s = midi.get_end_time() if end_ql is None else midi.tick_to_time(round(end_ql * midi.resolution))
    if (start_ql or 0.0) < 0 or end_s <= start_s:
        raise ConfigError(f"{midi_path}: passage {start_ql}-{end_ql} QL is empty or negative")
    for track in midi.instruments:
        notes = [n for n in track.notes if n.end > start_s and n.start < end_s]
        for n in notes:
            n.start, n.end = max(n.start, start_s) - start_s, min(n.end, end_s) - start_s
        track.notes = notes
        for events in (track.control_changes, track.pitch_bends):
            before = {getattr(e, "number", None): e for e in events if e.time <= start_s}
            kept = list(before.values()) + [e for e in events if start_s < e.time < end_s]
            for e in kept:
                e.time = max(e.time - start_s, 0.0)
            events[:] = kept


def synthesize(midi, *, soundfont: str | os.PathLike | None = None,
               sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Render a ``PrettyMIDI`` to mono samples in [-1, 1] with FluidSynth, else with sine tones.

    Falling back to pretty_midi's sine synthesis prints one line on stderr.
    """
    if not isinstance(sample_rate, int) or not 8000 <= sample_rate <= 192000:
        raise ConfigError(f"sample rate must be a whole number of Hz from 8000 to 192000, "
                          f"got {sample_rate!r}")
    sf2 = _check_soundfont(soundfont) if soundfont is not None else default_soundfont()
    fluidsynth, why_not = _load_fluidsynth()
    if fluidsynth is None:
        print(f"jazzsolo: FluidSynth cannot be loaded ({why_not}); playing sine tones instead "
              f"(install libfluidsynth3 and pyfluidsynth for real instruments)", file=sys.stderr)
        audio = midi.synthesize(fs=sample_rate)
    else:
        synth = fluidsynth.Synth(samplerate=float(sample_rate))
        try:
            sfid = synth.sfload(str(sf2))
            if sfid < 0:
                raise InputFileError(f"{sf2}: FluidSynth could not load this SoundFont")
            audio = midi.fluidsynth(synthesizer=synth, sfid=sfid)
        finally:
            synth.delete()
    peak = float(np.max(np.abs(audio))) if len(audio) else 0.0
    if peak == 0.0:
        raise MidiContentError("the MIDI renders as silence (no audible notes)")
    return audio * (PEAK_LEVEL / peak)


def wav_bytes(audio: np.ndarray, sample_rate: int = SAMPLE_RATE) -> bytes:
    """Mono samples in [-1, 1] as the bytes of a 16-bit PCM WAV file."""
    samples = np.round(np.clip(audio, -1.0, 1.0) * 32767).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(samples.tobytes())
    return buffer.getvalue()


def render_wav(midi_path: str | os.PathLike, wav_path: str | os.PathLike | None = None, *,
               soundfont: str | os.PathLike | None = None,
               solo_instrument: str = DEFAULT_SOLO_INSTRUMENT, sample_rate: int = SAMPLE_RATE,
               start_ql: float | None = None, end_ql: float | None = None,
               overwrite: bool = False) -> Path:
    """Render a MIDI file to a 16-bit mono WAV (default: beside it, same name) and return its path.

    The "Solo" track plays on `solo_instrument` (a General MIDI name), the "Chords" track on
    piano, at the file's own tempo; `soundfont` defaults to pretty_midi's TimGM6mb.sf2.
    """
    midi_path = Path(midi_path)
    wav_path = Path(wav_path) if wav_path is not None else midi_path.with_suffix(".wav")
    if wav_path.exists() and not wav_path.is_dir() and not overwrite:
        raise OutputExistsError(f"{wav_path}: exists already")
    midi = load_for_audio(midi_path, solo_instrument=solo_instrument, start_ql=start_ql,
                          end_ql=end_ql)
    audio = synthesize(midi, soundfont=soundfont, sample_rate=sample_rate)
    return write_atomic(wav_path, wav_bytes(audio, sample_rate), overwrite=overwrite)


def play(path: str | os.PathLike, *, soundfont: str | os.PathLike | None = None,
         solo_instrument: str = DEFAULT_SOLO_INSTRUMENT, start_ql: float | None = None,
         end_ql: float | None = None):
    """A notebook audio player (``IPython.display.Audio``) for a WAV, or a MIDI rendered first.

    A MIDI file is rendered in memory, nothing is written; the render options apply to it only.
    """
    from IPython.display import Audio

    path = Path(path)
    header = _file_header(path, "no such file", "a WAV or MIDI file")
    if header[:4] == b"RIFF" and header[8:12] == b"WAVE":
        return Audio(filename=str(path))
    midi = load_for_audio(path, solo_instrument=solo_instrument, start_ql=start_ql, end_ql=end_ql)
    audio = synthesize(midi, soundfont=soundfont)
    return Audio(data=wav_bytes(audio, SAMPLE_RATE))
