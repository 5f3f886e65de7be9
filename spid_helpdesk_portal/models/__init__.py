from . import spid_ticket
