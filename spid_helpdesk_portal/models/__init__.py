from . import spid_ticket
from . import spid_ticket_type
