"""Tests of `kb.site`."""
