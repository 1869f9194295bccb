"""The clerk's main window and the actions of its menus: files, packages, Excel, backups, editions,
上年数, the next year and resubmission."""
