from . import portal
from . import submit
