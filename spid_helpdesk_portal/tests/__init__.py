from . import test_portal
from . import test_portal_customer_view
from . import test_portal_workunit_files
from . import test_portal_edit
from . import test_portal_intervention
from . import test_portal_live
