from . import spid_ticket_close_wizard
from . import spid_ticket_escalate_wizard
from . import spid_ticket_reopen_wizard
from . import spid_statistics_wizard
from . import spid_ticket_merge_wizard
from . import spid_ticket_split_wizard

# macros (issue #21)
from . import spid_ticket_macro_run_wizard
from . import spid_timer_stop_wizard  # timer (#21)
