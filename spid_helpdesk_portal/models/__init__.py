from . import ir_http
from . import spid_ticket
from . import spid_ticket_public_form
from . import spid_ticket_type
from . import spid_intervention
from . import res_config_settings
