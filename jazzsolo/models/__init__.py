"""Tokens → trained models: the course LSTM, the note LSTM, checkpoints and model directories."""
