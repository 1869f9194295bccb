"""Developer scripts (screenshots of the windows for docs and review); not part of the shipped program."""
