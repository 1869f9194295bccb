"""The clerk's table editors: the grid model and view, a form's editor tab, the controller that
writes through the door and refreshes the views, the 审核结果 panel, 情况说明, 批注 and history."""
