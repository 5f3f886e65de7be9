from odoo import _, fields, models
from odoo.exceptions import AccessError

SUPERVISOR = "spid_helpdesk.group_spid_supervisor"
RATING_FIELDS = {
    "rating_ids",
    "rating_last_value",
    "rating_last_feedback",
    "rating_last_image",
    "rating_last_text",
    "rating_count",
    "rating_avg",
    "rating_avg_text",
    "rating_percentage_satisfaction",
}


class SpidTicket(models.Model):
    """A ticket's ratings are for supervisors only: the rated owner and the
    other agents neither read them on the ticket (form, list, RPC, search
    domains, grouping) nor on `rating.rating` (record rules). Customers rate
    through Odoo's rating pages with their token, which run as sudo."""

    _inherit = "spid.ticket"

    # rating.mixin (and rating's mail.thread for rating_ids) give these to
    # every internal user. Search paths through rating_ids (`rating_ids.
    # feedback`) are not checked against the field's groups: without
    # auto_join they go through the record rules of rating.rating.
    rating_ids = fields.One2many(groups=SUPERVISOR, auto_join=False)
    rating_last_value = fields.Float(groups=SUPERVISOR)
    rating_last_feedback = fields.Text(groups=SUPERVISOR)
    rating_last_image = fields.Binary(groups=SUPERVISOR)
    rating_last_text = fields.Selection(groups=SUPERVISOR)
    rating_count = fields.Integer(groups=SUPERVISOR)
    rating_avg = fields.Float(groups=SUPERVISOR)
    rating_avg_text = fields.Selection(groups=SUPERVISOR)
    rating_percentage_satisfaction = fields.Float(groups=SUPERVISOR)

    def write(self, vals):
        if self._rec_name in vals and not self.env.su:
            # rating.mixin's write() reads rating_ids to rename the ratings
            # of a renamed ticket; that bookkeeping is the system's, so the
            # ratings are loaded here as sudo and an agent may still rename
            # a ticket without reading them
            self.sudo().mapped("rating_ids")
        return super().write(vals)

    def _thread_to_store(self, store, /, *, fields=None, request_list=None):
        """The chatter sends a thread's rating average and count with its
        messages, read as computed fields (no group check): not to those who
        may not read ratings, whoever's messages they read."""
        if fields and not self._spid_reads_ratings():
            fields = [name for name in fields if name not in RATING_FIELDS]
        return super()._thread_to_store(store, fields=fields, request_list=request_list)

    def _search_rating_avg(self, operator, value):
        """rating.mixin searches the averages as sudo: not for agents."""
        if not (self.env.su or self._spid_reads_ratings()):
            raise AccessError(_("Only supervisors search tickets by their ratings."))
        return super()._search_rating_avg(operator, value)

    def _spid_reads_ratings(self):
        user = self.env.user
        return user._is_superuser() or user.has_group(SUPERVISOR)

    def _rating_get_access_token(self, partner=None):
        """The customer's rating token, found or created as the system (the
        closing email of an agent asks for it), after checking that the
        caller reads the ticket. The agent never reads the rating itself."""
        self.check_access("read")
        if not self._spid_rating_enabled():
            return False  # the team asks for no ratings: no token is made
        return super(SpidTicket, self.sudo())._rating_get_access_token(partner=partner)

    def _spid_rating_enabled(self):
        """Whether the requester is asked to rate this ticket: its team's
        choice (on without a team)."""
        self.ensure_one()
        team = self.sudo().team_id
        return not team or team.rating_enabled
