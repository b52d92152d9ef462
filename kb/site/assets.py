"""The site's front-end files: first-party sources in `site/`, third-party ones from npm.

Third-party code is never committed: `npm ci` installs the pinned versions of
`package-lock.json` into `node_modules/`, and each build copies the few files the pages use
(with their licences) into the site. Nothing is loaded from a CDN.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["NODE_MODULES", "SITE_SOURCES", "VENDOR_FILES", "first_party", "vendor"]

# NOTE: the site sources and node_modules belong to the repository checkout that holds this
# package (an editable install, as the README sets up), not to the knowledge base being built:
# `kb --root OTHER build` uses the same front end.
_CHECKOUT = Path(__file__).resolve().parents[2]
SITE_SOURCES = _CHECKOUT / "site"
NODE_MODULES = _CHECKOUT / "node_modules"

# Published name under assets/kb/vendor/ -> path inside node_modules/.
VENDOR_FILES: dict[str, str] = {
    "graphology.umd.min.js": "graphology/dist/graphology.umd.min.js",
    "graphology.LICENSE.txt": "graphology/LICENSE.txt",
    "sigma.min.js": "sigma/dist/sigma.min.js",
    "sigma.LICENSE.txt": "sigma/LICENSE.txt",
}


def _read_tree(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.name.startswith(".")
    }


def first_party(sources: Path = SITE_SOURCES) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """(assets, theme overrides) read from `sources` (`assets/` and `overrides/`)."""
    return _read_tree(sources / "assets"), _read_tree(sources / "overrides")


def vendor(node_modules: Path = NODE_MODULES) -> dict[str, bytes] | None:
    """The third-party files by published name, or None when `npm ci` has not been run."""
    files: dict[str, bytes] = {}
    for name, inside in VENDOR_FILES.items():
        path = node_modules / inside
        if not path.is_file():
            return None
        files[name] = path.read_bytes()
    return files
