from . import spid_invoice_export_wizard
from . import spid_ticket_invoice_wizard
from . import spid_statement_wizard
from . import spid_contract_invoice_wizard  # prepaid hour banks (#21 BANK)
