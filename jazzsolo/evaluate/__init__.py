"""Solos → measurements: metrics, held-out likelihood, and comparison against real solos."""
