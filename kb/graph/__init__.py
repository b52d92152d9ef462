"""The linked knowledge base: what the records say about each other, taken together.

The citation and method graph and its queries, influence, related papers, gaps and the
statistics. Uses only `kb.core`.
"""
