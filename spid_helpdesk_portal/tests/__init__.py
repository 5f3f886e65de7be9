from . import test_portal
from . import test_portal_customer_view
