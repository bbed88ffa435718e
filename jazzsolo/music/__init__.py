"""Music theory shared by every stage: chord symbols, charts, and chord measures to play over."""
