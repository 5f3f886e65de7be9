from . import test_invoicing
from . import test_invoicing_concurrency
from . import test_ui
from . import test_invoice_interventions
from . import test_spid_contract
from . import test_spid_contract_concurrency
