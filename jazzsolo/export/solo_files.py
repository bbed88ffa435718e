"""Generation settings → solo files: for each seed the solo as MIDI (the band with it), and WAV,
MP3 and a MusicXML lead sheet when asked, named after the tune and the seed
(`<tune>_seed<S>.mid`); every file names the model that played."""
from __future__ import annotations

import re
import sys
import unicodedata
from pathlib import Path
from typing import Callable

from jazzsolo.errors import ConfigError
from jazzsolo.files import check_output_file, check_writable_folder
from jazzsolo.generate.improvise import GenerateSettings, Improvisation, play, prepare

UNTITLED = "chords"           # the file names' tune when the chords have no title (chord symbols)
MAX_STEM_CHARS = 60           # a title's share of a file name, well inside any file system's 255


def file_stem(title: str) -> str:
    """A title as the tune part of a file name: ASCII, lowercase, its words joined by "_", so
    it reads the same on every file system and in every shell; UNTITLED when nothing is left.

    Hand-written (no slug library is a dependency, and these three lines are the whole rule):

    >>> file_stem("Minor Swing"), file_stem("Girl From Ipanema, The"), file_stem("Don't Go")
    ('minor_swing', 'girl_from_ipanema_the', 'dont_go')
    >>> file_stem("Très Café No. 2"), file_stem("minor-blues"), file_stem("?!")
    ('tres_cafe_no_2', 'minor_blues', 'chords')
    """
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    words = re.findall(r"[a-z0-9]+", text.replace("'", ""))
    return "_".join(words)[:MAX_STEM_CHARS].strip("_") or UNTITLED


def tune_title(settings: GenerateSettings, improvisation: Improvisation) -> str:
    """The title of the chords played, which the file names carry: a built-in progression's
    name, a chart's title (a lead sheet without one, and a MIDI accompaniment: its file name),
    the model's own tune (the file it learned it from); chord symbols have none ("")."""
    if settings.progression is not None:
        return settings.progression
    if settings.backing_chords is not None:
        return ""
    if settings.chords_from is not None:
        source = settings.chords_from
        is_link = source.lstrip().lower().startswith(("irealb://", "irealbook://"))
        return improvisation.backing.title or ("" if is_link else Path(source).stem)
    return getattr(improvisation.model, "tune_title", "")     # a family without a tune: ""


def output_paths(settings: GenerateSettings, seeds: list[int], *, title: str = "") -> list[Path]:
    """The MIDI file of each seed, `<tune>_seed<S>.mid` (`file_stem` of the title); refused up
    front if any file to be written exists or is a directory, or the folder cannot be written."""
    folder = check_writable_folder(settings.output_dir)
    outputs = [folder / f"{file_stem(title)}_seed{seed}.mid" for seed in seeds]
    suffixes = [".mid"] + [".wav"] * settings.wav + [".musicxml"] * settings.musicxml + \
        [".mp3"] * settings.mp3
    for path in outputs:
        for suffix in suffixes:
            check_output_file(path.with_suffix(suffix), overwrite=settings.overwrite)
    return outputs


def _to_stderr(line: str) -> None:
    print(f"jazzsolo: {line}", file=sys.stderr)


def _check_audio(settings: GenerateSettings) -> None:
    """Say before any work that an MP3 cannot be made."""
    from jazzsolo.export.audio import find_ffmpeg

    if settings.mp3 and find_ffmpeg() is None:
        raise ConfigError("MP3 needs ffmpeg, which is not installed (apt-get install ffmpeg, or "
                          "make system-deps)")


def _write_audio(settings: GenerateSettings, output: Path) -> None:
    """The WAV beside a MIDI file, and the MP3 made from it."""
    from jazzsolo.export.audio import render_mp3, render_wav

    wav = output.with_suffix(".wav") if settings.wav else \
        output.with_name(f".{output.stem}.for-mp3.wav")          # hidden, removed below
    render_wav(output, wav, solo_instrument=solo_sound(settings),
               overwrite=settings.overwrite or not settings.wav)
    if settings.mp3:
        render_mp3(wav, output.with_suffix(".mp3"), overwrite=settings.overwrite)
    if not settings.wav:
        wav.unlink()


def solo_midi(improvisation: Improvisation, settings: GenerateSettings, solo, seed: int, *,
              solo_program: int):
    """One seed's MIDI file in memory (a ``mido.MidiFile``): the solo and the band the
    settings ask for; `write_solo_files` and the practice room both write this one."""
    from jazzsolo.export.solo_midi import solo_midi_file

    return solo_midi_file(solo, qpm=improvisation.qpm, accompaniment="comp"
                          if settings.render_chords else "none", solo_program=solo_program,
                          swing_ratio=settings.swing,
                          drums=settings.drums and settings.render_chords, bass=settings.bass,
                          comp=settings.comp, seed=seed, count_off=settings.count_off,
                          model_name=improvisation.model.name)


def solo_lead_sheet(improvisation: Improvisation, settings: GenerateSettings, solo, seed: int,
                    *, solo_program: int):
    """One seed's MusicXML lead sheet in memory (a music21 score); see `solo_midi`."""
    from jazzsolo.export.musicxml import solo_to_lead_sheet

    backing = improvisation.backing
    return solo_to_lead_sheet(solo, title=backing.title or settings.progression or "Jazz solo",
                              qpm=improvisation.qpm, key=settings.key, chart_key=backing.key,
                              model_name=improvisation.model.name, seed=seed,
                              solo_program=solo_program, transpose_for=settings.transpose_for)


def write_solo_files(improvisation: Improvisation, settings: GenerateSettings, solo, seed: int,
                     output: Path, *, solo_program: int) -> None:
    """One seed's files: the MIDI, then the audio and the MusicXML asked for."""
    from jazzsolo.export.midi import write_midi

    write_midi(output, solo_midi(improvisation, settings, solo, seed, solo_program=solo_program),
               overwrite=settings.overwrite)
    if settings.wav or settings.mp3:
        _write_audio(settings, output)
    if settings.musicxml:
        from jazzsolo.export.musicxml import musicxml_bytes
        from jazzsolo.files import write_atomic

        score = solo_lead_sheet(improvisation, settings, solo, seed, solo_program=solo_program)
        write_atomic(output.with_suffix(".musicxml"), musicxml_bytes(score),
                     overwrite=settings.overwrite)


def solo_sound(settings: GenerateSettings) -> str:
    """The General MIDI sound of the solo: the one asked for, else that of the `--instrument`
    asked for (a tenor's is "Tenor Sax"), else `audio.DEFAULT_SOLO_INSTRUMENT`."""
    from jazzsolo.encodings.voice import INSTRUMENTS, instrument_code
    from jazzsolo.export.audio import DEFAULT_SOLO_INSTRUMENT

    if settings.solo_instrument is not None:
        return settings.solo_instrument
    if settings.instrument is not None:
        return INSTRUMENTS[instrument_code(settings.instrument)][1]
    return DEFAULT_SOLO_INSTRUMENT


def generate_files(settings: GenerateSettings, *,
                   warn: Callable[[str], None] = _to_stderr) -> str:
    """Write one solo per seed over the chosen chords; returns the one-line summary, which
    names the model that played.  `warn` gets the line saying whose chords a model trained on
    several tunes plays, when it plays its own."""
    from jazzsolo.export.audio import gm_program

    solo_program = gm_program(solo_sound(settings))
    improvisation = prepare(settings)
    _check_audio(settings)
    outputs = output_paths(settings, improvisation.seeds,
                           title=tune_title(settings, improvisation))
    own_chords = all(getattr(settings, source) is None
                     for source in ("backing_chords", "progression", "chords_from"))
    if own_chords and hasattr(improvisation.model, "own_chords_note"):   # the course family's
        line = improvisation.model.own_chords_note()
        if line:
            warn(line)
    n_notes = 0
    for seed, output in zip(improvisation.seeds, outputs):
        solo = play(improvisation, settings, seed)
        write_solo_files(improvisation, settings, solo, seed, output, solo_program=solo_program)
        n_notes += len(solo.timed_notes())
    where = outputs[0] if len(outputs) == 1 else f"{len(outputs)} files in {settings.output_dir}/"
    extra = "".join(f" (+ {kind})" for kind, asked in (("WAV", settings.wav), ("MP3", settings.mp3),
                                                      ("MusicXML", settings.musicxml)) if asked)
    sound = ""
    if settings.wav or settings.mp3:
        from jazzsolo.export.audio import soundfont_in_use
        sound = f"; sound: {soundfont_in_use().name}"
    return (f"Wrote {n_notes} solo notes by {improvisation.model.name} over "
            f"{len(improvisation.backing.measures)} measures{extra} to {where}{sound}")


__all__ = ["UNTITLED", "file_stem", "generate_files", "output_paths", "solo_lead_sheet",
           "solo_midi", "tune_title", "write_solo_files"]
