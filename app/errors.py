"""Errors the core raises with a message meant for the clerk (Simplified Chinese)."""


class BudgetDeskError(Exception):
    """Base class; str(error) is a complete Chinese sentence for the user."""


class InputError(BudgetDeskError):
    """The user's input (a cell value, a file, a command argument) is not acceptable. Nothing changed."""


class NotFoundError(BudgetDeskError):
    """A unit, dataset, form, row or column that does not exist."""


class ConflictError(BudgetDeskError):
    """The request clashes with data already stored (for example an existing unit and year)."""
