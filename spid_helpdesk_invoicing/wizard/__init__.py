from . import spid_invoice_export_wizard
from . import spid_ticket_invoice_wizard
from . import spid_statement_wizard
