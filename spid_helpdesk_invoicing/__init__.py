from . import models
from . import report
from . import wizard
from . import controllers  # prepaid hour banks on the portal (#21 BANK)
