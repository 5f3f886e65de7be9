from . import test_equipment
