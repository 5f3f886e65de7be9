from . import spid_ticket_report
from . import spid_workunit_report
from . import spid_workorder_report
