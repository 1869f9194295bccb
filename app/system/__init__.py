"""The machine the program runs on: the log file, the X11 libraries Qt needs, the self-test and the
font files."""
