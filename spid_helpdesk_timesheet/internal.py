"""The bridge's own switch (see spid_helpdesk.internal): set only by this
addon's code while it copies a work unit onto its timesheet line or back, so
that neither side writes the other again. A caller's context key with the
same name is a string, never this object, and turns nothing off."""

from odoo.addons.spid_helpdesk.internal import Switch

TIMESHEET_SYNC = Switch("spid_timesheet_sync")
