"""The print dialog: choices, preview, raster printing, the printer and the PDF file, print settings."""
