"""The machine the program runs on: the log file, the X11 libraries Qt needs and the font files."""
