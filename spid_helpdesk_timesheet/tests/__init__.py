from . import test_timesheet
