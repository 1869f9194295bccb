"""Errors the core raises with a message meant for the clerk (Simplified Chinese)."""


class BudgetDeskError(Exception):
    """Base class; str(error) is a complete Chinese sentence for the user."""


class InputError(BudgetDeskError):
    """The user's input (a cell value, a file, a command argument) is not acceptable. Nothing changed."""


class NotFoundError(BudgetDeskError):
    """A unit, dataset, form, row or column that does not exist."""


class ConflictError(BudgetDeskError):
    """The request clashes with data already stored (for example an existing unit and year)."""


class LockedError(ConflictError):
    """The dataset is 已上报 (submitted): every write is refused until 撤销上报 with a reason."""


class StaleDataError(ConflictError):
    """The write was based on a view that is out of date (another window or process changed the cell,
    or replaced or deleted the dataset). Nothing was written; the view should reload."""

    def __init__(self, message: str, *, replaced: bool = False) -> None:
        super().__init__(message)
        self.replaced = replaced


class Cancelled(BudgetDeskError):
    """Long work stopped at the user's 取消; nothing was written."""

    def __init__(self, message: str = "已取消，未做任何修改。") -> None:
        super().__init__(message)
