#!/bin/sh
# BudgetDesk launcher installed as /usr/bin/budgetdesk by the .deb: `budgetdesk` opens the window,
# `budgetdesk selftest`, `budgetdesk check …` etc. run the command line.
exec /opt/budgetdesk/BudgetDesk "$@"
