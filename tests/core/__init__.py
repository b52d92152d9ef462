"""Tests of `kb.core`."""
