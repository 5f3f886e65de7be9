from . import account_move
from . import res_company
from . import res_partner
from . import spid_agent_objective
from . import spid_tariff
from . import spid_ticket
from . import spid_ticket_status
from . import spid_workunit
