"""Widgets and helpers every window uses: styles, file dialogs, error dialogs, background jobs with
progress and 取消, scrolling tabs, the record table, single instance, help and support."""
