from . import test_access
from . import test_assignment
from . import test_performance
from . import test_search
from . import test_settings
from . import test_workflow
from . import test_workunit
from . import test_ui
