"""Generation settings → solo files: for each seed the solo as MIDI (the band with it), and WAV,
MP3 and a MusicXML lead sheet when asked; every file names the model that played."""
from __future__ import annotations

from pathlib import Path

from jazzsolo.errors import ConfigError, OutputExistsError
from jazzsolo.generate.improvise import GenerateSettings, Improvisation, play, prepare


def output_paths(settings: GenerateSettings, seeds: list[int]) -> list[Path]:
    """The MIDI file of each seed; refused up front if any file to be written exists."""
    outputs = [Path(settings.output_dir) / f"solo_seed{seed}.mid" for seed in seeds]
    suffixes = [".mid"] + [".wav"] * settings.wav + [".musicxml"] * settings.musicxml + \
        [".mp3"] * settings.mp3
    taken = [str(p.with_suffix(s)) for p in outputs for s in suffixes if p.with_suffix(s).exists()]
    if taken and not settings.overwrite:
        raise OutputExistsError(f"{taken[0]}: exists already")
    return outputs


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
    render_wav(output, wav, solo_instrument=settings.solo_instrument,
               overwrite=settings.overwrite or not settings.wav)
    if settings.mp3:
        render_mp3(wav, output.with_suffix(".mp3"), overwrite=settings.overwrite)
    if not settings.wav:
        wav.unlink()


def write_solo_files(improvisation: Improvisation, settings: GenerateSettings, solo, seed: int,
                     output: Path, *, solo_program: int) -> None:
    """One seed's files: the MIDI, then the audio and the MusicXML asked for."""
    from jazzsolo.export.solo_midi import write_solo_midi

    model, backing, qpm = improvisation.model, improvisation.backing, improvisation.qpm
    write_solo_midi(solo, output, qpm=qpm, accompaniment="comp" if settings.render_chords
                    else "none", solo_program=solo_program, overwrite=settings.overwrite,
                    swing_ratio=settings.swing, drums=settings.drums and settings.render_chords,
                    bass=settings.bass, comp=settings.comp, seed=seed,
                    count_off=settings.count_off, model_name=model.name)
    if settings.wav or settings.mp3:
        _write_audio(settings, output)
    if settings.musicxml:
        from jazzsolo.export.musicxml import write_solo_musicxml

        write_solo_musicxml(solo, output.with_suffix(".musicxml"),
                            title=backing.title or f"Solo, seed {seed}", qpm=qpm, key=backing.key,
                            overwrite=settings.overwrite, model_name=model.name)


def generate_files(settings: GenerateSettings) -> str:
    """Write one solo per seed over the chosen chords; returns the one-line summary, which
    names the model that played."""
    from jazzsolo.export.audio import gm_program

    solo_program = gm_program(settings.solo_instrument)
    improvisation = prepare(settings)
    _check_audio(settings)
    outputs = output_paths(settings, improvisation.seeds)
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


__all__ = ["generate_files", "output_paths", "write_solo_files"]
