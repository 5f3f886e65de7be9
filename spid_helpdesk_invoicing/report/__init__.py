from . import spid_turnover_report
