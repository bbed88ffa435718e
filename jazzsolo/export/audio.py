"""MIDI file → audio: a stereo WAV rendered with FluidSynth and a General MIDI SoundFont (or sine
tones), each part panned where the file puts it, with a room's reverb, loudness-normalised; an MP3
of it with ffmpeg; a notebook player.  pretty_midi, pyfluidsynth and pydub are imported only when
audio is asked for."""
from __future__ import annotations

import contextlib
import difflib
import functools
import io
import os
import sys
import wave
from pathlib import Path

import numpy as np

from jazzsolo.errors import ConfigError, InputFileError, MidiContentError, OutputExistsError
from jazzsolo.export.midi import BAND_MIX, DRUM_CHANNEL, PAN_CC, REVERB_CC
from jazzsolo.files import write_atomic

SOLO_TRACK = "Solo"                    # track names written by `build_midi`
CHORD_TRACK = "Chords"
DEFAULT_SOLO_INSTRUMENT = "Electric Guitar (jazz)"
CHORD_INSTRUMENT = "Acoustic Grand Piano"
SAMPLE_RATE = 44100                    # Hz
PEAK_LEVEL = 10 ** (-1.0 / 20)         # -1 dBFS: the loudest sample of a rendered WAV (0.891)
TARGET_LOUDNESS_DB = -18.0             # gated RMS level of a rendered WAV, dB full scale
TAIL_S = 1.0                           # seconds rendered after the last note-off (release, reverb)
FLUIDSYNTH_GAIN = 0.2                  # FluidSynth's master gain; the mix is normalised after
REVERB = {"roomsize": 0.45, "damping": 0.4, "width": 0.9, "level": 0.5}   # a moderate room
# Fuller General MIDI SoundFonts a system may have (Debian's fluid-soundfont-gm, 148 MB), in
# the order they are preferred over the 6 MB one pretty_midi ships.
SYSTEM_SOUNDFONTS = (Path("/usr/share/sounds/sf2/FluidR3_GM.sf2"),
                     Path("/usr/share/soundfonts/FluidR3_GM.sf2"))
MP3_BITRATE = "192k"


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
                          f"names with jazzsolo.export.audio.gm_instrument_names()") from None


def bundled_soundfont() -> Path:
    """The General MIDI SoundFont that pretty_midi ships (TimGM6mb.sf2, 6 MB)."""
    return Path(_pretty_midi().__file__).parent / "TimGM6mb.sf2"


def soundfont_in_use() -> Path:
    """The SoundFont WAVs are rendered with when none is given: FluidR3_GM.sf2 where the system
    has it (Debian package fluid-soundfont-gm, which `make system-deps` installs), else the
    one pretty_midi ships."""
    for path in SYSTEM_SOUNDFONTS:
        if path.is_file():
            with open(path, "rb") as f:
                header = f.read(12)
            if header[:4] == b"RIFF" and header[8:12] == b"sfbk":
                return path
    return bundled_soundfont()


def default_soundfont() -> Path:
    """The SoundFont used when none is given: `soundfont_in_use()`."""
    return soundfont_in_use()


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
    from jazzsolo.ingest.midi_import import check_midi_file

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


def _pan_and_send(instrument) -> tuple[int, int]:
    """Where a part sits before its own controllers: `BAND_MIX` by track name, else centred."""
    return BAND_MIX.get(instrument.name, (64, 40))


def _channel_groups(instruments) -> list[list[tuple[object, int]]]:
    """(instrument, MIDI channel) in groups that fit one synthesizer: drums on channel 10,
    at most 15 other parts on the other channels."""
    groups: list[list[tuple[object, int]]] = [[]]
    free = [c for c in range(16) if c != DRUM_CHANNEL]
    used = 0
    for instrument in instruments:
        if not instrument.notes:
            continue
        if instrument.is_drum:
            groups[-1].append((instrument, DRUM_CHANNEL))
            continue
        if used == len(free):
            groups.append([])
            used = 0
        groups[-1].append((instrument, free[used]))
        used += 1
    return [g for g in groups if g]


def _float_writer(fluidsynth):
    """FluidSynth's float output as (synth, frames) → (frames, 2) float32, where the library
    exposes it (no clipping before normalisation); else its 16-bit output."""
    import ctypes

    function = getattr(getattr(fluidsynth, "_fl", None), "fluid_synth_write_float", None)
    if function is None:
        return lambda synth, n: synth.get_samples(n).reshape(-1, 2) / 32768.0
    function.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p, ctypes.c_int,
                         ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
    function.restype = ctypes.c_int

    def write(synth, n: int) -> np.ndarray:
        buffer = np.zeros(2 * n, dtype=np.float32)
        if n:
            address = buffer.ctypes.data
            function(synth.synth, n, address, 0, 2, address, 1, 2)
        return buffer.reshape(-1, 2)
    return write


def _new_synth(fluidsynth, sf2: Path, sample_rate: int, *, outputs: int = 1):
    """A synthesizer with the SoundFont loaded and the room's reverb: (synth, its SoundFont
    id).  With `outputs` > 1, MIDI channel c sounds (dry, reverb and chorus) on stereo output
    c % outputs alone (FluidSynth's audio and effects groups), for stems."""
    groups = {"synth.audio-groups": outputs, "synth.audio-channels": outputs,
              "synth.effects-groups": outputs} if outputs > 1 else {}
    synth = fluidsynth.Synth(gain=FLUIDSYNTH_GAIN, samplerate=float(sample_rate), **groups)
    synth.setting("synth.reverb.active", 1)
    sfid = synth.sfload(str(sf2))
    if sfid < 0:
        synth.delete()
        raise InputFileError(f"{sf2}: FluidSynth could not load this SoundFont")
    synth.set_reverb(**REVERB)
    return synth, sfid


def _play_parts(synth, sfid: int, parts, write, sample_rate: int) -> np.ndarray:
    """Parts (instrument, MIDI channel) played on a synthesizer, `write(synth, frames)` taking
    its output between events and for `TAIL_S` after the last: the chunks, concatenated."""
    events = []
    for instrument, channel in parts:
        bank = 128 if instrument.is_drum else 0
        if synth.program_select(channel, sfid, bank, instrument.program) == -1:
            synth.program_select(channel, sfid, bank, 0)
        pan, send = _pan_and_send(instrument)
        events += [(0.0, 0, "cc", channel, PAN_CC, pan), (0.0, 0, "cc", channel, REVERB_CC, send)]
        events += [(c.time, 0, "cc", channel, c.number, c.value)
                   for c in instrument.control_changes]
        events += [(b.time, 0, "bend", channel, b.pitch) for b in instrument.pitch_bends]
        for n in instrument.notes:
            events.append((n.start, 2, "on", channel, n.pitch, n.velocity))
            events.append((n.end, 1, "off", channel, n.pitch))
    events.sort(key=lambda e: (e[0], e[1]))          # stable: a file's own CCs follow ours
    chunks, now = [], 0
    for time_s, _, kind, channel, *args in events:
        frame = int(round(time_s * sample_rate))
        if frame > now:
            chunks.append(write(synth, frame - now))
            now = frame
        if kind == "on":
            synth.noteon(channel, *args)
        elif kind == "off":
            synth.noteoff(channel, *args)
        elif kind == "cc":
            synth.cc(channel, *args)
        else:
            synth.pitch_bend(channel, *args)
    chunks.append(write(synth, int(TAIL_S * sample_rate)))
    return np.concatenate(chunks).astype(np.float64)


def _render_group(group, fluidsynth, sf2: Path, sample_rate: int) -> np.ndarray:
    """One synthesizer playing a group of parts on their channels: (frames, 2) samples."""
    synth, sfid = _new_synth(fluidsynth, sf2, sample_rate)
    try:
        return _play_parts(synth, sfid, group, _float_writer(fluidsynth), sample_rate)
    finally:
        synth.delete()


def _mix(parts: list[np.ndarray]) -> np.ndarray:
    """Stereo parts of different lengths summed from their common start."""
    out = np.zeros((max((len(p) for p in parts), default=0), 2))
    for part in parts:
        out[:len(part)] += part
    return out


def _sine_render(midi, sample_rate: int) -> np.ndarray:
    """pretty_midi's sine tones, each pitched part panned in NumPy (constant power); no drums."""
    parts = []
    for instrument in midi.instruments:
        if instrument.is_drum or not instrument.notes:
            continue
        pans = [c.value for c in instrument.control_changes if c.number == PAN_CC]
        angle = (pans[0] if pans else _pan_and_send(instrument)[0]) / 127 * np.pi / 2
        mono = instrument.synthesize(fs=sample_rate)
        parts.append(np.stack([mono * np.cos(angle), mono * np.sin(angle)], axis=1))
    return _mix(parts)


def loudness_db(audio: np.ndarray, sample_rate: int = SAMPLE_RATE) -> float:
    """The gated RMS level of mono or stereo samples, in dB full scale (a sine at full scale
    is -3 dB): mean power over 400 ms blocks, leaving out blocks below -70 dB and those more
    than 10 dB under the mean of the rest (ITU-R BS.1770's gating, without its K-filter);
    -inf for silence.

    >>> round(loudness_db(0.5 * np.ones(44100)), 2)
    -6.02
    """
    power = np.asarray(audio, dtype=np.float64) ** 2
    power = power.mean(axis=1) if power.ndim == 2 else power
    block = int(0.4 * sample_rate)
    n_blocks = max(1, len(power) // block)
    blocks = np.array([power[i * block:(i + 1) * block].mean() for i in range(n_blocks)]
                      if len(power) >= block else [power.mean() if len(power) else 0.0])
    loud = blocks[blocks > 10 ** (-70 / 10)]
    if not len(loud):                              # all very quiet: the plain mean power
        return float(10 * np.log10(power.mean())) if len(power) and power.mean() > 0 else -np.inf
    loud = loud[loud >= loud.mean() * 10 ** (-10 / 10)]
    return float(10 * np.log10(loud.mean()))


LIMITER_BLOCK = 256                    # samples per gain step of the peak limiter (5.8 ms)
LIMITER_RELEASE_BLOCKS = 8             # a gain reduction is held this many blocks either side


def limit_peaks(audio: np.ndarray, ceiling: float = PEAK_LEVEL) -> np.ndarray:
    """Turn down the loud moments so no sample exceeds `ceiling`, leaving the rest untouched.

    The gain is set per block of `LIMITER_BLOCK` samples from the loudest sample in the block
    and its neighbours, held for `LIMITER_RELEASE_BLOCKS`, and interpolated between block
    centres: every sample's gain is at most the one its own peak needs, so nothing clips.
    """
    x = np.asarray(audio, dtype=np.float64)
    envelope = np.abs(x).max(axis=1) if x.ndim == 2 else np.abs(x)
    if not len(envelope) or envelope.max() <= ceiling:
        return x
    n_blocks = -(-len(envelope) // LIMITER_BLOCK)
    padded = np.zeros(n_blocks * LIMITER_BLOCK)
    padded[:len(envelope)] = envelope
    peaks = padded.reshape(n_blocks, LIMITER_BLOCK).max(axis=1)
    reach = 1 + LIMITER_RELEASE_BLOCKS
    wide = np.pad(peaks, reach, mode="edge")
    windows = np.lib.stride_tricks.sliding_window_view(wide, 2 * reach + 1)
    gains = np.minimum(1.0, ceiling / np.maximum(windows.max(axis=1), 1e-12))
    centres = (np.arange(n_blocks) + 0.5) * LIMITER_BLOCK
    gain = np.interp(np.arange(len(envelope)), centres, gains)
    limited = x * (gain[:, None] if x.ndim == 2 else gain)
    return np.clip(limited, -ceiling, ceiling)


def normalise(audio: np.ndarray, sample_rate: int = SAMPLE_RATE, *,
              target_db: float = TARGET_LOUDNESS_DB, ceiling: float = PEAK_LEVEL) -> np.ndarray:
    """Scale samples to `target_db` gated RMS (`loudness_db`), then limit their peaks to
    `ceiling`; the limiter's small loss of level is made up once, so solos come out equally
    loud whatever their drums' peaks."""
    level = loudness_db(audio, sample_rate)
    if not np.isfinite(level):
        raise MidiContentError("the MIDI renders as silence (no audible notes)")
    out = limit_peaks(audio * 10 ** ((target_db - level) / 20), ceiling)
    make_up = target_db - loudness_db(out, sample_rate)
    if make_up > 0.05:
        out = limit_peaks(out * 10 ** (make_up / 20), ceiling)
    return out


def _check_sample_rate(sample_rate) -> None:
    """Refuse a sample rate that is not a whole number of Hz from 8000 to 192000."""
    if not isinstance(sample_rate, int) or not 8000 <= sample_rate <= 192000:
        raise ConfigError(f"sample rate must be a whole number of Hz from 8000 to 192000, "
                          f"got {sample_rate!r}")


def synthesize(midi, *, soundfont: str | os.PathLike | None = None,
               sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Render a ``PrettyMIDI`` to stereo samples, shape (frames, 2), with FluidSynth and
    `soundfont` (default `soundfont_in_use()`), else with sine tones; normalised by `normalise`.

    Each part is panned by its controller 10 (or `BAND_MIX` by its track name) and sent to a
    moderate room reverb.  Falling back to sine tones prints one line on stderr.
    """
    _check_sample_rate(sample_rate)
    sf2 = _check_soundfont(soundfont) if soundfont is not None else soundfont_in_use()
    fluidsynth, why_not = _load_fluidsynth()
    if fluidsynth is None:
        print(f"jazzsolo: FluidSynth cannot be loaded ({why_not}); playing sine tones instead "
              f"(install libfluidsynth3 and pyfluidsynth for real instruments)", file=sys.stderr)
        audio = _sine_render(midi, sample_rate)
    else:
        audio = _mix([_render_group(group, fluidsynth, sf2, sample_rate)
                      for group in _channel_groups(midi.instruments)])
    if not len(audio) or float(np.max(np.abs(audio))) == 0.0:
        raise MidiContentError("the MIDI renders as silence (no audible notes)")
    return normalise(audio, sample_rate)


def wav_bytes(audio: np.ndarray, sample_rate: int = SAMPLE_RATE, *,
              software: str | None = None) -> bytes:
    """Samples in [-1, 1], mono (frames,) or stereo (frames, 2), as a 16-bit PCM WAV file;
    `software` is written in the file's INFO chunk (ISFT), e.g. the SoundFont used."""
    audio = np.asarray(audio)
    channels = 1 if audio.ndim == 1 else audio.shape[1]
    samples = np.round(np.clip(audio, -1.0, 1.0) * 32767).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(samples.tobytes())
    data = buffer.getvalue()
    if software:
        text = software.encode("ascii", "replace") + b"\0"
        text += b"\0" * (len(text) % 2)
        info = b"INFO" + b"ISFT" + len(text).to_bytes(4, "little") + text
        data += b"LIST" + len(info).to_bytes(4, "little") + info
        data = data[:4] + (len(data) - 8).to_bytes(4, "little") + data[8:]
    return data


def _render(midi_path: Path, *, soundfont, solo_instrument: str, sample_rate: int,
            start_ql: float | None, end_ql: float | None) -> tuple[np.ndarray, str]:
    """Stereo samples of a MIDI file and a note of what played them."""
    midi = load_for_audio(midi_path, solo_instrument=solo_instrument, start_ql=start_ql,
                          end_ql=end_ql)
    audio = synthesize(midi, soundfont=soundfont, sample_rate=sample_rate)
    return audio, _software(soundfont)


def _software(soundfont) -> str:
    """What renders the audio, for a WAV's INFO chunk: the engine and the SoundFont."""
    sf2 = Path(soundfont) if soundfont is not None else soundfont_in_use()
    engine = "FluidSynth" if _load_fluidsynth()[0] is not None else "sine tones"
    return f"jazzsolo ({engine}, {sf2.name})"


def render_wav(midi_path: str | os.PathLike, wav_path: str | os.PathLike | None = None, *,
               soundfont: str | os.PathLike | None = None,
               solo_instrument: str = DEFAULT_SOLO_INSTRUMENT, sample_rate: int = SAMPLE_RATE,
               start_ql: float | None = None, end_ql: float | None = None,
               overwrite: bool = False) -> Path:
    """Render a MIDI file to a 16-bit stereo WAV (default: beside it, same name); returns its path.

    The "Solo" track plays on `solo_instrument` (a General MIDI name), the "Chords" track on
    piano, at the file's own tempo, each part panned and with reverb (see `synthesize`), the
    mix at `TARGET_LOUDNESS_DB` with peaks at most -1 dBFS.  `soundfont` defaults to
    `soundfont_in_use()`; the WAV's INFO chunk names the one used.
    """
    midi_path = Path(midi_path)
    wav_path = Path(wav_path) if wav_path is not None else midi_path.with_suffix(".wav")
    if wav_path.exists() and not wav_path.is_dir() and not overwrite:
        raise OutputExistsError(f"{wav_path}: exists already")
    audio, software = _render(midi_path, soundfont=soundfont, solo_instrument=solo_instrument,
                              sample_rate=sample_rate, start_ql=start_ql, end_ql=end_ql)
    return write_atomic(wav_path, wav_bytes(audio, sample_rate, software=software),
                        overwrite=overwrite)


# --------------------------------------------------------------------------- stems

MAX_STEMS = 16                         # stems one synthesizer renders apart in one pass
STEM_SPLITS = ("tracks", "solo-band")  # one stem per track; the solo and the band


def _stems_writer(fluidsynth, outputs: int):
    """FluidSynth's separate outputs (``fluid_synth_process``) as (synth, frames) →
    (frames, outputs, 2) float32: each output's dry sound with its own reverb and chorus
    mixed in (the effect buffers alias the dry ones, which FluidSynth adds into)."""
    import ctypes

    function = getattr(getattr(fluidsynth, "_fl", None), "fluid_synth_process", None)
    if function is None:
        raise ConfigError("this FluidSynth cannot render stems (no fluid_synth_process); "
                          "install libfluidsynth3 2.2 or later")
    pointers = ctypes.POINTER(ctypes.c_void_p)
    function.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int, pointers, ctypes.c_int,
                         pointers]
    function.restype = ctypes.c_int

    def write(synth, n: int) -> np.ndarray:
        buffer = np.zeros((outputs, 2, n), dtype=np.float32)
        if n:
            rows = [buffer[g, side].ctypes.data for g in range(outputs) for side in (0, 1)]
            dry = (ctypes.c_void_p * len(rows))(*rows)       # reverb L/R, chorus L/R per group
            wet = (ctypes.c_void_p * (2 * len(rows)))(*[rows[2 * g + side] for g in
                                                        range(outputs) for side in (0, 1, 0, 1)])
            function(synth.synth, n, len(wet), wet, len(rows), dry)
        return buffer.transpose(2, 0, 1)
    return write


def _output_order(has_drums: list[bool]) -> list[int]:
    """The synthesizer output of each stem: the drums' stem on the one MIDI channel 10 sounds
    on (channel % outputs), the others on the rest in turn."""
    n = len(has_drums)
    drummed = [i for i, drums in enumerate(has_drums) if drums]
    if len(drummed) > 1:
        raise ConfigError("drum parts all play on MIDI channel 10, so they cannot be split "
                          "into separate stems")
    free = iter(o for o in range(n) if not drummed or o != DRUM_CHANNEL % n)
    return [DRUM_CHANNEL % n if i in drummed else next(free) for i in range(n)]


def _slug(text: str) -> str:
    """Lowercase words joined by "_", for stem names (file names inside a zip)."""
    import re

    return "_".join(re.findall(r"[a-z0-9]+", str(text).lower()))


def track_stems(midi) -> dict[str, list]:
    """One stem per track of a ``PrettyMIDI`` that plays notes, named by its track and its
    instrument ("solo_electric_guitar_jazz", "bass_acoustic_bass"); every drum track in one
    "drums" stem (they share MIDI channel 10)."""
    stems: dict[str, list] = {}
    drums = [i for i in midi.instruments if i.is_drum and i.notes]
    for instrument in midi.instruments:
        if not instrument.notes or instrument.is_drum:
            continue
        track = _slug(instrument.name) or "part"
        sound = _slug(_pretty_midi().program_to_instrument_name(instrument.program))
        name = track if track == sound else f"{track}_{sound}"
        name = next(f"{name}_{k}" if k else name for k in range(len(stems) + 1)
                    if (f"{name}_{k}" if k else name) not in stems)
        stems[name] = [instrument]
    if drums:
        stems["drums"] = drums
    return stems


def solo_and_band(midi) -> dict[str, list]:
    """The "Solo" track(s) and the rest of a ``PrettyMIDI`` as two stems, "solo" and "band"
    (either may be silent): what the practice room's player mixes live."""
    return {"solo": [i for i in midi.instruments if i.name == SOLO_TRACK and not i.is_drum],
            "band": [i for i in midi.instruments if not (i.name == SOLO_TRACK and not i.is_drum)]}


def synthesize_stems(stems: dict[str, list], *, soundfont: str | os.PathLike | None = None,
                     sample_rate: int = SAMPLE_RATE) -> dict[str, np.ndarray]:
    """Each stem (name → parts of a ``PrettyMIDI``) rendered apart, all in one pass of one
    FluidSynth (its audio and effects groups: each stem with its own reverb), so every stem
    has the same length as the mix; all scaled by the one gain that brings their sum to
    `TARGET_LOUDNESS_DB` and each limited to `PEAK_LEVEL`, so they add back up to the mix."""
    _check_sample_rate(sample_rate)
    names = list(stems)
    if not 1 <= len(names) <= MAX_STEMS:
        raise ConfigError(f"stems: from 1 to {MAX_STEMS} at once, got {len(names)}")
    sf2 = _check_soundfont(soundfont) if soundfont is not None else soundfont_in_use()
    fluidsynth, why_not = _load_fluidsynth()
    if fluidsynth is None:
        print(f"jazzsolo: FluidSynth cannot be loaded ({why_not}); playing sine tones instead "
              f"(install libfluidsynth3 and pyfluidsynth for real instruments)", file=sys.stderr)
        parts = [_sine_render(_Parts(stems[name]), sample_rate) for name in names]
        frames = max(len(p) for p in parts)
        rendered = [np.pad(p, ((0, frames - len(p)), (0, 0))) for p in parts]
    else:
        order = _output_order([any(i.is_drum and i.notes for i in stems[n]) for n in names])
        parts = []
        for name, output in zip(names, order):
            channels = (c for c in range(256) if c % len(names) == output
                        and c % 16 != DRUM_CHANNEL)
            parts += [(i, DRUM_CHANNEL if i.is_drum else next(channels))
                      for i in stems[name] if i.notes]
        synth, sfid = _new_synth(fluidsynth, sf2, sample_rate, outputs=len(names))
        try:
            audio = _play_parts(synth, sfid, parts, _stems_writer(fluidsynth, len(names)),
                                sample_rate)
        finally:
            synth.delete()
        rendered = [audio[:, output] for output in order]
    level = loudness_db(sum(rendered), sample_rate)
    if not np.isfinite(level):
        raise MidiContentError("the MIDI renders as silence (no audible notes)")
    gain = 10 ** ((TARGET_LOUDNESS_DB - level) / 20)
    return {name: limit_peaks(part * gain) for name, part in zip(names, rendered)}


class _Parts:
    """Parts as `_sine_render` reads a ``PrettyMIDI``: its instruments."""

    def __init__(self, instruments):
        self.instruments = list(instruments)


def render_stems(midi_path: str | os.PathLike, *, split: str = "tracks",
                 soundfont: str | os.PathLike | None = None,
                 solo_instrument: str = DEFAULT_SOLO_INSTRUMENT,
                 sample_rate: int = SAMPLE_RATE) -> dict[str, bytes]:
    """A MIDI file's stems as 16-bit stereo WAVs in memory (name → bytes), read as
    `render_wav` reads it: one per track (`track_stems`) or the solo and the band
    (`solo_and_band`), each of the length of the file's WAV (`synthesize_stems`)."""
    if split not in STEM_SPLITS:
        raise ConfigError(f"stems split by {', '.join(STEM_SPLITS)}, not {split!r}")
    midi = load_for_audio(midi_path, solo_instrument=solo_instrument)
    stems = track_stems(midi) if split == "tracks" else solo_and_band(midi)
    audio = synthesize_stems(stems, soundfont=soundfont, sample_rate=sample_rate)
    software = _software(soundfont)
    return {name: wav_bytes(samples, sample_rate, software=software)
            for name, samples in audio.items()}


def find_ffmpeg() -> str | None:
    """The ffmpeg program MP3 encoding needs, or None when it is not installed."""
    import shutil

    return shutil.which("ffmpeg")


def render_mp3(source, mp3_path: str | os.PathLike, *, sample_rate: int = SAMPLE_RATE,
               bitrate: str = MP3_BITRATE, overwrite: bool = False) -> Path:
    """Encode an MP3 with pydub and ffmpeg; returns its path.

    `source` is a WAV file, a MIDI file (rendered first, as `render_wav` does) or samples in
    [-1, 1], mono or (frames, 2), at `sample_rate`.  Without ffmpeg this is a one-line
    ConfigError.
    """
    mp3_path = Path(mp3_path)
    if mp3_path.exists() and not mp3_path.is_dir() and not overwrite:
        raise OutputExistsError(f"{mp3_path}: exists already")
    ffmpeg = find_ffmpeg()
    if ffmpeg is None:
        raise ConfigError("MP3 needs ffmpeg, which is not installed (apt-get install ffmpeg, "
                          "or make system-deps)")
    if isinstance(source, np.ndarray):
        wav = wav_bytes(source, sample_rate)
    else:
        source = Path(source)
        header = _file_header(source, "no such file", "a WAV or MIDI file")
        if header[:4] == b"MThd":
            audio, _ = _render(source, soundfont=None, solo_instrument=DEFAULT_SOLO_INSTRUMENT,
                               sample_rate=sample_rate, start_ql=None, end_ql=None)
            wav = wav_bytes(audio, sample_rate)
        elif header[:4] == b"RIFF" and header[8:12] == b"WAVE":
            wav = source.read_bytes()
        else:
            raise InputFileError(f"{source}: neither a WAV nor a MIDI file")
    import warnings

    with warnings.catch_warnings():                # pydub warns at import: no ffmpeg on PATH, audioop
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            from pydub import AudioSegment
        except ImportError as e:
            raise ConfigError(f"MP3 needs the pydub package ({e}); pip install pydub") from e
    AudioSegment.converter = ffmpeg
    segment = AudioSegment.from_wav(io.BytesIO(wav))
    buffer = io.BytesIO()
    try:
        segment.export(buffer, format="mp3", bitrate=bitrate)
    except Exception as e:                         # pydub's CouldntEncodeError carries ffmpeg's log
        last = str(e).strip().splitlines()[-1] if str(e).strip() else type(e).__name__
        raise ConfigError(f"ffmpeg could not encode the MP3: {last}") from e
    return write_atomic(mp3_path, buffer.getvalue(), overwrite=overwrite)


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
    audio, _ = _render(path, soundfont=soundfont, solo_instrument=solo_instrument,
                       sample_rate=SAMPLE_RATE, start_ql=start_ql, end_ql=end_ql)
    return Audio(data=wav_bytes(audio, SAMPLE_RATE))
