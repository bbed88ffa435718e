"""A course-family model directory → a `SoloModel`: the course's LSTM over grammar values, with
its defaults (temperature, copy guard) and a primer read over the solo's chords."""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Sequence

from jazzsolo.config import COURSE_TEMPERATURE, MAX_COPY, SamplingOptions
from jazzsolo.errors import ConfigError, JazzsoloError
from jazzsolo.models.model_dir import FAMILY, TrainedModel, load_model_dir

SAMPLING = frozenset({"temperature", "top_k", "max_copy", "primer_midi"})


class CourseModel:
    """A loaded course LSTM (`models.model_dir.TrainedModel`) behind the `SoloModel` contract."""

    family = FAMILY
    accepts = SAMPLING

    def __init__(self, trained: TrainedModel, name: str, directory: Path | None = None):
        self.trained, self.name, self.directory = trained, name, directory
        self.measure_ql = float(trained.settings.get("measure_ql", 4.0))
        self.tune_chords = trained.chords
        self._guards: dict[int, object] = {}
        self._primer = None            # (path and bar length, the chords, the primer) last read

    @property
    def tune_files(self) -> list[str]:
        """The names of the MIDI files it learned from, in order (config.json's source_midi);
        its own chords are the first one's."""
        sources = self.trained.settings.get("source_midi") or []
        return [str(s) for s in (sources if isinstance(sources, list) else [sources])]

    @property
    def tune_title(self) -> str:
        """The name of the tune whose chords it plays when given none: its first training
        file's name without the extension ("" when config.json does not say)."""
        return Path(self.tune_files[0]).stem if self.tune_files else ""

    def own_chords_note(self) -> str | None:
        """One line saying whose chords it plays when given none, if it learned from several
        tunes (it keeps the first one's chords only, so without it the choice goes unsaid)."""
        files = self.tune_files
        if len(files) < 2:
            return None
        others = ", ".join(files[1:3]) + (", ..." if len(files) > 3 else "")
        return (f"playing over the chords of {files[0]}, the first of the {len(files)} tunes "
                f"the model was trained on; give --chords_from FILE (another of them: "
                f"{others}) or --progression to choose")

    def copy_guard(self, max_copy: int | None):
        """The copy guard for a limit (None: `MAX_COPY`; 0: none), built once per limit."""
        from jazzsolo.generate.measures import copy_guard_for

        limit = MAX_COPY if max_copy is None else max_copy
        if limit not in self._guards:
            self._guards[limit] = copy_guard_for(self.trained, limit)
        return self._guards[limit]

    def primer(self, path: str, chord_measures: Sequence, lengths: list[float]):
        """The primer read over the solo's first chords; read once for every seed played over
        the same chords (a MIDI file parsed by music21 takes about a second)."""
        from jazzsolo.generate.measures import read_primer

        if len(set(lengths)) > 1:
            raise ConfigError("a primer needs measures of one length; these chords change metre")
        key = (path, lengths[0])
        if self._primer is None or self._primer[0] != key or self._primer[1] is not chord_measures:
            self._primer = (key, chord_measures, read_primer(path, chord_measures,
                                                              measure_ql=lengths[0]))
        return self._primer[2]

    def improvise(self, chord_measures: Sequence, *, measure_lengths_ql: Sequence[float],
                  time_signatures: Sequence[str], seed: int, qpm: float,
                  options: SamplingOptions = SamplingOptions()):
        """A solo over the chord measures: values sampled measure by measure, then notes."""
        from jazzsolo.generate.measures import generate_solo

        lengths = list(measure_lengths_ql)
        primer = self.primer(options.primer_midi, chord_measures, lengths) \
            if options.primer_midi is not None else None
        temperature = COURSE_TEMPERATURE if options.temperature is None else options.temperature
        return generate_solo(self.trained.weights, self.trained.indices_values, chord_measures,
                             temperature=temperature, seed=seed, top_k=options.top_k,
                             measure_ql=lengths[0], primer=primer,
                             copy_guard=self.copy_guard(options.max_copy),
                             measure_lengths_ql=lengths, time_signatures=list(time_signatures))

    def describe(self) -> list[tuple[str, str]]:
        """What `jazzsolo info` shows of it."""
        settings, history = self.trained.settings, self.trained.history
        sources = self.tune_files or ["?"]
        train = settings.get("train", {})
        rows = [("trained on", f"{', '.join(sources)} (preset "
                               f"{settings.get('preset') or 'auto'})"),
                ("vocabulary", f"{len(self.trained.values)} values; n_a "
                               f"{self.trained.weights.n_a}"),
                ("training", f"{train.get('epochs', '?')} epochs, seed {train.get('seed', '?')}, "
                             f"learning rate {train.get('learning_rate', '?')}, batch "
                             f"{train.get('batch_size', '?')}")]
        if history.get("loss"):
            rows.append(("final", f"loss {history['loss'][-1]:.3f}, accuracy "
                                  f"{history['accuracy'][-1]:.3f}"))
        whose = f", {self.tune_files[0]}'s" if self.tune_files else ""
        rows.append(("chords", f"{len(self.trained.chords)} measures of {self.measure_ql:g} "
                               f"beats{whose} (played when no chords are given)"))
        rows.append(("sampling", f"temperature {COURSE_TEMPERATURE}, copy guard {MAX_COPY} "
                                 f"values"))
        return rows

    def training_notes(self, real_solos, kind) -> list[list[tuple]] | None:
        """The notes of the tune it learned from (`tune_notes`), whatever the real solos."""
        return self.tune_notes

    @functools.cached_property
    def tune_notes(self) -> list[list[tuple]] | None:
        """The notes of the tune it learned from, (onset_ql, duration_ql, midi), when that MIDI
        file is found (as `jazzsolo train` finds it) under a name its config.json lists; read
        once, since the Markov baselines over its values ask for them too."""
        from jazzsolo.encodings.course_data import load_training_corpus
        from jazzsolo.ingest.preprocess import find_training_midi, preset_for

        try:
            path = find_training_midi(None)
        except JazzsoloError:
            return None
        names = self.trained.settings.get("source_midi") or []
        if Path(path).name not in [Path(str(n)).name for n in names]:
            return None
        data = load_training_corpus([path], preset=preset_for(path)).data[0]
        return [[(i * data.measure_ql + float(n.offset), float(n.quarterLength), int(n.pitch.midi))
                 for i, measure in enumerate(data.measures) for n in measure]]


def load(directory: Path, name: str) -> CourseModel:
    """The course model saved in `directory` (`models.model_dir`), called `name`."""
    return CourseModel(load_model_dir(directory), name, Path(directory))


__all__ = ["CourseModel", "load"]
