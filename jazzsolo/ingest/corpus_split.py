"""A corpus → its training and validation solos, by name (`split_by_solo`), and the split as
``split.json`` beside a model (`write_split` / `read_split`), so anyone can score on the same
solos the model was validated on.

``split.json`` holds one JSON object::

    {"source": "Weimar Jazz Database (...), ODbL 1.0", "seed": 0,
     "training": ["ArtPepper_Desafinado_Solo", ...],
     "validation": ["BenWebster_MyIdeal_Solo", ...]}

`source` names the corpus (for WJazzD: the database and its licence), `seed` the hash seed of
`split_by_solo`, and both lists are sorted solo names, no name in both.
"""
from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from jazzsolo.errors import ConfigError, ModelDirError
from jazzsolo.files import json_bytes, write_atomic
from jazzsolo.ingest.corpus_tables import Corpus, shown_value

SPLIT_FILE = "split.json"
MAX_SPLIT_BYTES = 16 * 1024 * 1024   # a split.json (WJazzD's: 15 KB)
_SPLIT_KEYS = ("source", "seed", "training", "validation")


def split_by_solo(corpus: Corpus | Iterable[str], *, validation_share: float = 0.1,
                  seed: int = 0) -> tuple[list[str], list[str]]:
    """Split solo names into (train, validation), whole solos only, the same on every machine.

    Each name is ranked by the SHA-256 of ``"<seed>:<name>"``; the first
    ``round(share * n)`` (at least 1 where there are two or more solos) are validation.  A hash
    rather than a random permutation keeps the split independent of NumPy versions and
    platforms, and adding or removing a solo leaves the others' ranking as it was.

    >>> split_by_solo(["a", "b", "c", "d", "e"], validation_share=0.4)
    (['b', 'c', 'e'], ['a', 'd'])
    """
    names = sorted(set(corpus.names if isinstance(corpus, Corpus) else corpus))
    if not (isinstance(validation_share, (int, float)) and 0 <= validation_share < 1):
        raise ConfigError(f"validation_share must be in [0, 1), not {validation_share!r}")
    n_validation = round(validation_share * len(names))
    if validation_share > 0 and len(names) >= 2:
        n_validation = min(max(n_validation, 1), len(names) - 1)
    ranked = sorted(names, key=lambda n: hashlib.sha256(f"{seed}:{n}".encode()).hexdigest())
    validation = set(ranked[:n_validation])
    return [n for n in names if n not in validation], sorted(validation)


@dataclass(frozen=True)
class Split:
    """The solos a model trained on and those it was validated on, by name; checks itself."""

    source: str                  # the corpus: database and licence, or the path that was read
    seed: int                    # hash seed of `split_by_solo`
    training: tuple[str, ...]    # solo names, sorted, each once
    validation: tuple[str, ...]  # solo names, sorted, each once, none of them in `training`

    def __post_init__(self) -> None:
        if not isinstance(self.source, str) or not self.source.strip():
            raise ConfigError(f"source must name the corpus, not {shown_value(self.source)}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise ConfigError(f"seed must be a whole number, not {shown_value(self.seed)}")
        for part in ("training", "validation"):
            names = getattr(self, part)
            if not isinstance(names, tuple) or not all(isinstance(n, str) and n for n in names):
                raise ConfigError(f"{part} must be solo names (non-empty text)")
            unordered = next((b for a, b in zip(names, names[1:]) if a >= b), None)
            if unordered is not None:
                raise ConfigError(f"{part} names must be sorted, each once: "
                                  f"{shown_value(unordered)} is out of place")
        both = sorted(set(self.training) & set(self.validation))
        if both:
            more = f" and {len(both) - 1} more" if len(both) > 1 else ""
            raise ConfigError(f"solo {shown_value(both[0])}{more} is in both training and "
                              f"validation")

    def to_dict(self) -> dict:
        """The split as ``split.json`` holds it."""
        return {"source": self.source, "seed": self.seed, "training": list(self.training),
                "validation": list(self.validation)}

    @classmethod
    def from_dict(cls, data) -> Split:
        """A split from the object in ``split.json``; ConfigError for anything malformed."""
        if not isinstance(data, dict):
            raise ConfigError(f"expected a JSON object with {', '.join(_SPLIT_KEYS)}, not "
                              f"{type(data).__name__}")
        missing = [k for k in _SPLIT_KEYS if k not in data]
        unknown = sorted(str(k) for k in data if k not in _SPLIT_KEYS)
        if missing or unknown:
            problem = (f"missing {', '.join(missing)}" if missing
                       else f"unknown key {shown_value(unknown[0])}")
            raise ConfigError(f"{problem} (a split holds {', '.join(_SPLIT_KEYS)})")
        for part in ("training", "validation"):
            if not isinstance(data[part], list):
                raise ConfigError(f"{part} must be a list of solo names")
        return cls(data["source"], data["seed"], tuple(data["training"]),
                   tuple(data["validation"]))

    def __repr__(self) -> str:
        return (f"Split(source={self.source!r}, seed={self.seed}, "
                f"training=<{len(self.training)} solos>, "
                f"validation=<{len(self.validation)} solos>)")


def split_corpus(corpus: Corpus | Iterable[str], *, source: str, validation_share: float = 0.1,
                 seed: int = 0) -> Split:
    """`split_by_solo` as a `Split` that names its `source` (e.g. the database and licence)."""
    training, validation = split_by_solo(corpus, validation_share=validation_share, seed=seed)
    return Split(source, seed, tuple(training), tuple(validation))


def write_split(directory: str | os.PathLike, split: Split, *, overwrite: bool = False) -> Path:
    """Write ``split.json`` into a model directory (atomically; an existing one is kept unless
    `overwrite`).  Returns its path."""
    return write_atomic(Path(directory) / SPLIT_FILE, json_bytes(split.to_dict()),
                        overwrite=overwrite)


def read_split(model_dir: str | os.PathLike) -> Split:
    """The split in a model directory's ``split.json``; one-line ModelDirError if it is missing
    or malformed."""
    path = Path(model_dir) / SPLIT_FILE
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ModelDirError(f"{model_dir}: no {SPLIT_FILE} (the training and validation solos "
                            f"of the model)") from None
    except OSError as e:
        raise ModelDirError(f"{path}: cannot read ({e.strerror or e})") from None
    if size > MAX_SPLIT_BYTES:
        raise ModelDirError(f"{path}: {size} bytes is over the {MAX_SPLIT_BYTES}-byte limit "
                            f"for a split")
    try:
        data = json.loads(path.read_bytes())
    except OSError as e:
        raise ModelDirError(f"{path}: cannot read ({e.strerror or e})") from None
    except (ValueError, RecursionError) as e:    # JSONDecodeError, UnicodeDecodeError, nesting
        raise ModelDirError(f"{path}: not a JSON file ({' '.join(str(e).split())[:80]})") from None
    try:
        return Split.from_dict(data)
    except ConfigError as e:
        raise ModelDirError(f"{path}: refused, {e}") from e


__all__ = ["MAX_SPLIT_BYTES", "SPLIT_FILE", "Split", "read_split", "split_by_solo",
           "split_corpus", "write_split"]
