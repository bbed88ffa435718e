"""pytest at the repository root: the course's module names are aliases of the modules they name
(`jazzsolo/grammar.py` is `jazzsolo.encodings.grammar`), so their doctests are collected once,
from the real files."""
collect_ignore = [f"jazzsolo/{name}.py" for name in (
    "data_utils", "model", "inference_code", "music_utils", "preprocess", "midi", "grammar", "qa")]
