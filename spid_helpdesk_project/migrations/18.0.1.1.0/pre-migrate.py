def migrate(cr, version):
    """The ticket's new `project_id` is its task's project: the column is
    created and filled in one statement here, so that the update does not
    compute it ticket by ticket."""
    cr.execute("ALTER TABLE spid_ticket ADD COLUMN IF NOT EXISTS project_id int4")
    cr.execute(
        """
        UPDATE spid_ticket ticket
           SET project_id = task.project_id
          FROM project_task task
         WHERE task.id = ticket.task_id
           AND task.project_id IS NOT NULL
           AND ticket.project_id IS NULL
        """
    )
