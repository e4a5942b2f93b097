"""A state path that is a symbolic link stands for the file it leads to.

Checkouts often share one state file through links. Writing through the link by rename
would replace the link with a regular file and silently fork the state; locking beside the
link would let two checkouts hold "the" lock at once. So the link is followed once, and
the state, its backup, temp files and lock all live beside the file it leads to.
"""

from __future__ import annotations

import os
from pathlib import Path

from reconciler.state.errors import StateError

_MAX_LINKS = 40  # Linux's own limit on links followed in one lookup


def resolve_state_path(path: Path) -> Path:
    """The file ``path`` leads to, following a chain of links (relative ones from the
    directory holding each link); ``path`` itself if it is no link."""
    current, links = path, 0
    while (target := _link_target(current)) is not None:
        links += 1
        if links > _MAX_LINKS:
            raise StateError(
                f"state file {path} is a symbolic link that never reaches a file "
                f"(more than {_MAX_LINKS} links, a loop?)",
                hint="point the link at the state file itself",
            )
        joined = current.parent / target  # an absolute target replaces the parent
        # The directory is canonicalised, the name kept: it may be a link to follow next.
        current = Path(os.path.realpath(joined.parent)) / joined.name
    if links == 0:
        return path
    if not os.path.lexists(current):
        raise StateError(
            f"state file {path} is a symbolic link to {current}, which does not exist",
            hint=f"fix the link (is its file system mounted?), or remove it to start a new "
            f"state at {path}",
        )
    if current.is_dir():
        raise StateError(
            f"state file {path} is a symbolic link to the directory {current}",
            hint="point the link at the state file itself",
        )
    return current


def _link_target(path: Path) -> str | None:
    try:
        return os.readlink(path)
    except OSError:
        # Not a link (EINVAL), or nothing there (ENOENT, ENOTDIR, EACCES): reading and
        # writing the state report the latter with the path and the reason.
        return None
