from . import account_move
from . import account_move_line
from . import res_company
from . import res_partner
from . import spid_agent_objective
from . import spid_tariff
from . import spid_intervention
from . import spid_ticket
from . import spid_ticket_status
from . import spid_workunit
from . import spid_demo

# service statements (#21)
from . import res_partner_statement
from . import spid_statement

# out-of-hours surcharges (#21)
from . import resource_calendar_leaves

# prepaid hour banks (#21)
from . import spid_contract
from . import spid_contract_line
from . import spid_contract_ticket
from . import spid_contract_account
from . import spid_contract_partner
from . import spid_contract_demo
from . import spid_contract_statement
