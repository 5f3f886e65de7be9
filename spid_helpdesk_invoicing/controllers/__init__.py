from . import contract_portal
from . import statement_portal
