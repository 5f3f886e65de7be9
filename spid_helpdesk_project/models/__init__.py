from . import spid_ticket
from . import project_project
from . import project_task
