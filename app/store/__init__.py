"""The store: the one door every write goes through (``service``), the audit trail, backups and the
editions of the definitions a dataset is made with."""
