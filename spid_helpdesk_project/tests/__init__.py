from . import test_task
