"""BudgetDesk core: Qt-free domain, form definitions, computation, persistence API, interchange, CLI."""

__version__ = "0.1.0"
