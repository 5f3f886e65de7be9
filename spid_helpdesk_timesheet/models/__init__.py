from . import spid_team
from . import spid_workunit
from . import spid_ticket
from . import account_analytic_line
