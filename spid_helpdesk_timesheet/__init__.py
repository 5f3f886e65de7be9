from . import models


def post_init_hook(env):
    """Teams without a timesheet project get their own; every work unit
    already logged (without a line: the hook may run again) becomes a
    timesheet line, all in one create()."""
    env["spid.team"].with_context(active_test=False).search(
        [("timesheet_project_id", "=", False)]
    )._spid_create_timesheet_projects()
    env["spid.workunit"].search([("timesheet_ids", "=", False)])._spid_timesheet_sync(new=True)
