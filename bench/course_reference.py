"""BENCHMARK REFERENCE ONLY — the course's generation design, rebuilt to time it; not package code.

The deeplearning.ai notebook generates a solo like this, and `make bench` times it beside
`jazzsolo generate`:

1. build the Keras inference model (50 steps, the shared LSTM_cell and densor) and, for every
   chord measure, call ``predict_and_sample`` for 50 new values;
2. post-process the value string (A and X become C; each duration rounded up or down to a
   1/4 grid at random: the course's ``prune_grammar``);
3. realise the values with music21 (the course's ``unparse_grammar``): for each value, every
   candidate pitch inside its interval window is built as a music21 Note and tested against
   the chord, a scale test calling ``scale.derive`` anew for each candidate;
4. drop repeated and same-onset notes (``prune_notes``, ``clean_up_notes``), insert notes and
   chords into one music21 stream, and write it with music21's MIDI writer.

The algorithm (with its quirks: every onset late by its own duration, 50 values per 4-beat
measure) is the course's; only the model is the package's Keras inference model, fed with the
trained weights of a jazzsolo model directory.  Random choices use a seeded `random.Random`.
"""
from __future__ import annotations

import random
from itertools import zip_longest

import numpy as np
from music21 import chord, interval, midi, note, scale, stream, tempo


def _scale_names(chord_obj: chord.Chord, blues_if_not_major: bool) -> list[str]:
    """Pitch names of the scale music21 derives for a chord (no caching, as in the course)."""
    if chord_obj.quality == "major":
        scale_type = scale.MajorScale()
    else:
        scale_type = scale.WeightedHexatonicBlues() if blues_if_not_major else scale.DorianScale()
    return [p.name for p in set(scale_type.derive(chord_obj).getPitches())]


def _is_scale_tone(chord_obj, n) -> bool:
    return n.name in _scale_names(chord_obj, blues_if_not_major=False)


def _is_approach_tone(chord_obj, n) -> bool:
    for p in chord_obj.pitches:
        for step in (1, -1):
            moved = p.transpose(step)
            if n.name in (moved.name, moved.getEnharmonic().name):
                return True
    return False


def _is_chord_tone(chord_obj, n) -> bool:
    return n.name in (p.name for p in chord_obj.pitches)


def _scale_tone(chord_obj, rnd: random.Random) -> note.Note:
    name = rnd.choice(_scale_names(chord_obj, blues_if_not_major=True))
    octave = rnd.choice([p.octave for p in chord_obj.sortAscending().pitches])
    return note.Note(f"{name}{octave}")


def _first_tone(note_class: str, chord_obj, rnd: random.Random) -> note.Note:
    if note_class == "C":
        return note.Note(rnd.choice([p.nameWithOctave for p in chord_obj.pitches]))
    if note_class == "S":
        return _scale_tone(chord_obj, rnd)
    return _scale_tone(chord_obj, rnd).transpose(rnd.choice([1, -1]))


def unparse_grammar(grammar: str, chords: stream.Voice, rnd: random.Random) -> stream.Voice:
    """Values → music21 notes over a measure's chords, the course's way (see module doc)."""
    voice = stream.Voice()
    offset, previous = 0.0, None
    tests = {"C": _is_chord_tone, "S": _is_scale_tone}
    for text in grammar.split(" "):
        terms = text.split(",")
        offset += float(terms[1])                     # the course's late onset, kept
        if terms[0] == "R":
            voice.insert(offset, note.Rest(quarterLength=float(terms[1])))
            continue
        started = [c for c in chords if c.offset <= offset]
        last_chord = started[-1] if started else list(chords)[0]
        if len(terms) == 2 or previous is None:
            chosen = _first_tone(terms[0], last_chord, rnd)
            if chosen.octave < 4:
                chosen.octave = 4
        else:
            first = interval.Interval(terms[2].replace("<", ""))
            second = interval.Interval(terms[3].replace(">", ""))
            upper, lower = (first, second) if first.cents > second.cents else (second, first)
            low = interval.transposePitch(previous.pitch, lower)
            high = interval.transposePitch(previous.pitch, upper)
            test = tests.get(terms[0], _is_approach_tone)
            candidates = []
            for step in range(int(high.ps - low.ps + 1)):
                candidate = note.Note(low.transpose(step).simplifyEnharmonic())
                if test(last_chord, candidate):
                    candidates.append(candidate)
            if len(candidates) > 1:
                others = [c for c in candidates if c.nameWithOctave != previous.nameWithOctave]
                chosen = rnd.choice(others or candidates)
            elif candidates:
                chosen = candidates[0]
            else:
                chosen = previous.transpose(rnd.choice([-2, 2]))
            if chosen.octave < 3:
                chosen.octave = 3
        chosen.quarterLength = float(terms[1])
        voice.insert(offset, chosen)
        previous = chosen
    return voice


def prune_grammar(grammar: str, rnd: random.Random) -> str:
    """The course's duration rounding: down or up to a multiple of 1/4, at random."""
    pruned = []
    for text in grammar.split(" "):
        terms = text.split(",")
        value = float(terms[1])
        down = value - value % 0.25
        terms[1] = str(down if rnd.choice([-1, 1]) < 0 else down + 0.25)
        pruned.append(",".join(terms))
    return " ".join(pruned)


def prune_notes(notes: list) -> list:
    """The course's pruning: of each pair of neighbours with the same pitch, drop the second."""
    for first, second in zip_longest(*[iter(list(notes))] * 2):
        if isinstance(first, note.Note) and isinstance(second, note.Note) and \
                first.nameWithOctave == second.nameWithOctave and second in notes:
            notes.remove(second)
    return notes


def clean_up_notes(notes: list) -> list:
    """The course's clean-up: no zero lengths, no two notes on one onset."""
    drop = set()
    for i, element in enumerate(notes):
        if element.quarterLength == 0.0:
            element.quarterLength = 0.25
        if i < len(notes) - 1 and element.offset == notes[i + 1].offset and \
                isinstance(notes[i + 1], note.Note):
            drop.add(i + 1)
    return [element for i, element in enumerate(notes) if i not in drop]


def generate_music(inference_model, indices_values: dict[int, str], chords, *, seed: int = 0,
                   temperature: float = 0.5, output_path: str = "my_music.midi") -> stream.Stream:
    """The course's generation loop over chord measures; writes the MIDI with music21."""
    from jazzsolo.generate.sampling import predict_and_sample

    rnd, rng = random.Random(seed), np.random.default_rng(seed)
    n_values = len(indices_values)
    n_a = inference_model.inputs[1].shape[1]
    x0, a0, c0 = np.zeros((1, 1, n_values)), np.zeros((1, n_a)), np.zeros((1, n_a))
    out_stream, offset = stream.Stream(), 0.0
    for measure_chords in chords:
        current = stream.Voice()
        for c in measure_chords:
            current.insert(c.offset % 4, c)
        _, indices = predict_and_sample(inference_model, x0, a0, c0, temperature=temperature,
                                        rng=rng)
        values = [indices_values[int(i)] for i in indices.ravel()]
        grammar = "C,0.25 " + " ".join(values)
        grammar = grammar.replace(" A", " C").replace(" X", " C")
        grammar = prune_grammar(grammar, rnd)
        sounds = clean_up_notes(prune_notes(list(unparse_grammar(grammar, current, rnd))))
        for element in sounds:
            out_stream.insert(offset + element.offset, element)
        for c in current:
            out_stream.insert(offset + c.offset, c)
        offset += 4.0
    out_stream.insert(0.0, tempo.MetronomeMark(number=130))
    midi_file = midi.translate.streamToMidiFile(out_stream)
    midi_file.open(output_path, "wb")
    midi_file.write()
    midi_file.close()
    return out_stream
