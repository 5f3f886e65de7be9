from . import test_chat_ticket
