"""Tests of `kb.graph`."""
