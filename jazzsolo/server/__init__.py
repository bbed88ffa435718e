"""The practice room: `jazzsolo serve` starts a local web server (`app`) with one page that
reads a chart, improvises over it with the band, plays, engraves and trades fours."""
