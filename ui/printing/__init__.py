"""The print dialog: choices, preview, raster printing and print settings."""
