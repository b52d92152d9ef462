"""Tests of `kb.export`."""
