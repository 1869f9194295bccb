"""The budget itself: form definitions (``resources/forms``), computation, code tables, named
quantities, the expression language, the unit profile, layout and cover fields, cross-table links."""
