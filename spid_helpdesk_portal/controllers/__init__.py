from . import login
from . import mail
from . import portal
from . import submit
from . import intervention
