from odoo import fields, models

SUPERVISOR = "spid_helpdesk.group_spid_supervisor"


class SpidTicket(models.Model):
    """A ticket's ratings are for supervisors only: the rated owner and the
    other agents neither read them on the ticket (form, list, RPC, search
    domains, grouping) nor on `rating.rating` (record rules). Customers rate
    through Odoo's rating pages with their token, which run as sudo."""

    _inherit = "spid.ticket"

    # rating.mixin (and rating's mail.thread for rating_ids) give these to
    # every internal user
    rating_ids = fields.One2many(groups=SUPERVISOR)
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

    def _rating_get_access_token(self, partner=None):
        """The customer's rating token, found or created as the system (the
        closing email of an agent asks for it), after checking that the
        caller reads the ticket. The agent never reads the rating itself."""
        self.check_access("read")
        return super(SpidTicket, self.sudo())._rating_get_access_token(partner=partner)
