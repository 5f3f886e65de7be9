from . import spid_ticket
from . import maintenance_equipment
