"""Stations and readings come later (issue 10); the standards core needs no state."""
