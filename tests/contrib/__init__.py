"""Tests of `kb.contrib`."""
