"""Write the README's example inputs into examples/: an iReal Pro playlist, a MusicXML lead sheet
with a repeat, and a MIDI lick to prime a solo with.  The charts are written for this project."""
from pathlib import Path

import mido
from music21 import bar, harmony, metadata, meter, note, stream

from jazzsolo.ingest.ireal import make_ireal_link

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

SONGS = [("Blues for the Book", "jazzsolo", "Medium Swing", "F",
          "{*AT44F7 |Bb7 |F7 |C-7 F7 |Bb7 |Bdim7 |F7 |A-7 D7 |G-7 |C7 |F7 D7 |G-7 C7 }"),
         ("Slow Turn", "jazzsolo", "Ballad", "Eb",
          "*AT44Eb^7 |C-7 |F-7 |Bb7 |G-7 C7 |F-7 Bb7 |Eb^7 |Eb^7 Z")]


def write_playlist(path: Path) -> None:
    path.write_text(make_ireal_link(SONGS, scrambled=True, playlist="jazzsolo examples") + "\n")


def write_lead_sheet(path: Path) -> None:
    """Four bars of ii-V-I in C, repeated, then a last bar of Cmaj7."""
    part = stream.Part()
    for number, symbols in enumerate([["Dm7", "G7"], ["Cmaj7"], ["Em7", "A7"], ["Dm7", "G7"],
                                      ["Cmaj7"]]):
        measure = stream.Measure(number=number + 1)
        if number == 0:
            measure.insert(0, meter.TimeSignature("4/4"))
            measure.leftBarline = bar.Repeat(direction="start")
        if number == 3:
            measure.rightBarline = bar.Repeat(direction="end")
        beats = 4 / len(symbols)
        for i, symbol in enumerate(symbols):
            measure.insert(i * beats, harmony.ChordSymbol(symbol))
        measure.insert(0, note.Rest(quarterLength=4))
        part.append(measure)
    score = stream.Score([part])
    score.metadata = metadata.Metadata(title="Two-Five Study")
    score.write("musicxml", fp=str(path))


def write_lick(path: Path) -> None:
    """A one-bar bebop lick in eighths over Dm7: D F A C B A G F."""
    midi = mido.MidiFile(ticks_per_beat=480)
    track = mido.MidiTrack([mido.MetaMessage("track_name", name="Lick", time=0)])
    for pitch in (62, 65, 69, 72, 71, 69, 67, 65):
        track += [mido.Message("note_on", note=pitch, velocity=90, time=0),
                  mido.Message("note_off", note=pitch, velocity=0, time=240)]
    midi.tracks.append(track)
    midi.save(str(path))


if __name__ == "__main__":
    EXAMPLES.mkdir(exist_ok=True)
    write_playlist(EXAMPLES / "playlist.txt")
    write_lead_sheet(EXAMPLES / "two-five.musicxml")
    write_lick(EXAMPLES / "lick.mid")
    print(f"Wrote 3 example inputs to {EXAMPLES}/")
