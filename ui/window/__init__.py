"""The clerk's main window and the actions of its menus: files, packages, Excel, backups, editions,
上年数 and the next year. The top wing under ``ui.app``: it opens the 财政局 window (``ui.bureau``) from
its 上报 menu and reuses the bureau's package import for 导入数据包."""
