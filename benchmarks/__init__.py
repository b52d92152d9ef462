"""Benchmarks: a synthetic knowledge-base generator and a runner that measures against floors."""
