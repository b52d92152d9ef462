"""Tests of `kb.cli`."""
