from . import spid_report_groups
from . import spid_ticket_report
from . import spid_workunit_report
from . import spid_workorder_report
